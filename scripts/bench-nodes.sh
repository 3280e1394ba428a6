#!/usr/bin/env bash
# npm run bench:nodes [-- --quick]: `linux-aio bench --json` on every
# supported Node (package.json's config.nodeMajors), one after another, each
# with the prebuild for its ABI (npm run prebuild first), then the ratios
# side by side. The JSON of each run stays in $LINUX_AIO_BENCH_OUT (default:
# a new directory under the temp dir), whose path is printed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/nodes.sh"
majors="${LINUX_AIO_NODE_MAJORS:-$(supported_majors)}"
out="${LINUX_AIO_BENCH_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/linux-aio-bench-nodes.XXXXXX")}"
mkdir -p "$out"
runs=()
for major in $majors; do
  bin="$(node_bin "$major")"
  abi="$("$bin/node" -p process.versions.modules)"
  addon="$root/prebuilds/linux-x64/node.abi$abi.glibc.node"
  if [ ! -f "$addon" ]; then
    echo "bench-nodes: no $addon: run npm run prebuild first" >&2
    exit 1
  fi
  echo "bench-nodes: Node $("$bin/node" -v) ..." >&2
  PATH="$bin:$PATH" LINUX_AIO_ADDON="$addon" "$bin/node" "$root/dist/lib/cli.js" bench --json "$@" > "$out/node-$major.json"
  runs+=("$out/node-$major.json")
done
echo "bench-nodes: the runs are in $out" >&2
node "$root/dist/benchmarks/by-node.js" "${runs[@]}"
