#!/usr/bin/env bash
# npm run prebuild: the addon for every supported Node (package.json's
# config.nodeMajors), into prebuilds/linux-x64/node.abi<ABI>.glibc.node,
# the names node-gyp-build matches at install and lib/addon-file.ts at load.
#
# The Node on PATH builds against npm_config_nodedir when it is set (CI sets
# /usr); every other major is fetched (scripts/nodes.sh).
# Each binary is checked by loading it into the Node it was built for.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/nodes.sh"
all="$(supported_majors)"
majors="${LINUX_AIO_NODE_MAJORS:-$all}"
out="$root/prebuilds/linux-x64"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$root/binding.gyp" "$root/addon" "$work/"
ln -s "$root/node_modules" "$work/node_modules"
# All of them: only what this run builds is left. Some: the others stay.
[ "$majors" = "$all" ] && rm -rf "$out"
mkdir -p "$out"

for major in $majors; do
  bin="$(node_bin "$major")"
  abi="$("$bin/node" -p process.versions.modules)"
  if ! (cd "$work" && on_node "$major" npx --no-install node-gyp rebuild >build.log 2>&1); then
    cat "$work/build.log" >&2
    echo "prebuild: the build for Node $major failed" >&2
    exit 1
  fi
  file="$out/node.abi$abi.glibc.node"
  strip --strip-unneeded -o "$file" "$work/build/Release/linux_aio.node"
  loaded="$("$bin/node" -p "require('$file').abi")"
  if [ "$loaded" != "$abi" ]; then
    echo "prebuild: $file reports ABI $loaded in Node $major, not $abi" >&2
    exit 1
  fi
  # The README promises glibc 2.34 and libstdc++ 3.4.29 (GCC 11) are enough.
  newest="$(objdump -T "$file" | grep -oE '(GLIBC|GLIBCXX)_[0-9.]+' | sort -u -V)"
  for floor in GLIBC_2.34 GLIBCXX_3.4.29; do
    above="$(printf '%s\n' "$newest" | grep "^${floor%%_*}_" | sort -V | tail -n 1)"
    if [ "$(printf '%s\n%s\n' "$above" "$floor" | sort -V | tail -n 1)" != "$floor" ]; then
      echo "prebuild: $file needs $above, newer than the $floor the README promises" >&2
      exit 1
    fi
  done
  echo "prebuild: Node $("$bin/node" -v) (ABI $abi): $(du -k "$file" | cut -f1) KiB"
done
