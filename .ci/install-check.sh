#!/usr/bin/env bash
# .ci/install-check.sh TARBALL: installs the packed package into a fresh app
# with no working compiler (CC and CXX are /bin/false), on the Node first in
# PATH, twice (its install script not approved, as npm 11 does by default,
# then approved), and checks each time that the prebuilt addon serves
# AioContext and the drop-in. Then it removes the prebuilds and rebuilds: the
# rebuild must fail to compile yet exit 0, leaving AioContext throwing
# ERR_AIO_UNAVAILABLE and the drop-in on node:fs.
set -euo pipefail
tarball="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
here="$(cd "$(dirname "$0")" && pwd)"
app="$(mktemp -d)"
trap 'rm -rf "$app"' EXIT
cd "$app"
export CC=/bin/false CXX=/bin/false
cp "$here/install-check.mjs" .

# As npm 11 installs by default: the install script not approved, so not run.
echo '{ "name": "app", "version": "1.0.0", "private": true, "type": "module" }' > package.json
npm install --no-audit --no-fund --foreground-scripts "$tarball" >install.log 2>&1 || { cat install.log; exit 1; }
node install-check.mjs prebuild "install script not approved"
rm -rf node_modules package-lock.json

# allowScripts: the install script approved, as a user would approve it
# (older npm ignores the field and runs it anyway). It must keep the
# prebuild, and not try to compile.
cat > package.json <<JSON
{ "name": "app", "version": "1.0.0", "private": true, "type": "module",
  "allowScripts": { "file:$tarball": true } }
JSON
npm install --no-audit --no-fund --foreground-scripts "$tarball" >install.log 2>&1 || { cat install.log; exit 1; }
grep -q "> node scripts/install.cjs" install.log || { cat install.log; echo "the install script did not run" >&2; exit 1; }
node install-check.mjs prebuild "install script approved"

rm -rf node_modules/linux-aio/prebuilds
npm rebuild linux-aio --foreground-scripts >rebuild.log 2>&1 || { cat rebuild.log; echo "npm rebuild failed" >&2; exit 1; }
grep -q "linux-aio: no prebuilt addon fits" rebuild.log || { cat rebuild.log; echo "the install script did not run or did not warn" >&2; exit 1; }
node install-check.mjs none "prebuilds removed, no compiler"
