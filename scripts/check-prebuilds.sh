#!/usr/bin/env bash
# npm pack / npm publish (prepack): the package must carry a prebuild for
# every supported Node (package.json's config.nodeMajors), each built after
# the last change to the addon's sources, and no other.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/nodes.sh"
out="$root/prebuilds/linux-x64"
want=()
for major in $(supported_majors); do
  want+=("node.abi$("$(node_bin "$major")/node" -p process.versions.modules).glibc.node")
done
have="$(cd "$out" 2>/dev/null && ls -1 ./*.node 2>/dev/null | sed 's|^\./||' | sort || true)"
expected="$(printf '%s\n' "${want[@]}" | sort)"
if [ "$have" != "$expected" ]; then
  echo "check-prebuilds: prebuilds/linux-x64 has [$(echo $have)], the supported Nodes need [$(echo $expected)]: run npm run prebuild" >&2
  exit 1
fi
newest_source="$(find "$root/addon" "$root/binding.gyp" -type f -printf '%T@\n' | sort -n | tail -n 1)"
for file in "${want[@]}"; do
  if [ "$(find "$out/$file" -printf '%T@')" \< "$newest_source" ]; then
    echo "check-prebuilds: $file is older than the addon's sources: run npm run prebuild" >&2
    exit 1
  fi
done
echo "check-prebuilds: ${#want[@]} prebuilds, newer than the sources"
