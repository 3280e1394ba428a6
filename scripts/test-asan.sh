#!/usr/bin/env bash
# npm run test:asan: the whole test suite against an addon built with
# AddressSanitizer and UndefinedBehaviorSanitizer. Node itself is not
# instrumented, so the sanitizer runtimes are preloaded into it (and into
# every child Node the tests start: they inherit the environment).
#
# The sanitized addon is built in a directory of its own and loaded through
# LINUX_AIO_ADDON, so the ordinary build in build/ is left as it is.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${LINUX_AIO_ASAN_DIR:-$root/build-asan}"
cxx="${CXX:-g++}"

rm -rf "$out"
mkdir -p "$out"
cp -r "$root/binding.gyp" "$root/addon" "$out/"
ln -s "$root/node_modules" "$out/node_modules"
flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g -O1"
(cd "$out" && CXXFLAGS="$flags" LDFLAGS="-fsanitize=address,undefined" npx --no-install node-gyp rebuild >/dev/null)

asan="$("$cxx" -print-file-name=libasan.so)"
ubsan="$("$cxx" -print-file-name=libubsan.so)"
cd "$root"
npx --no-install tsc -p tsconfig.json
# detect_leaks=0: Node does not free everything at exit, by design; memory
# errors (use after free, overflows) and undefined behaviour still abort.
LD_PRELOAD="$asan:$ubsan" \
  ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
  LINUX_AIO_ADDON="$out/build/Release/linux_aio.node" \
  npx --no-install mocha "$@"
