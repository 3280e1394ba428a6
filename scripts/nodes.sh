# Sourced by the scripts that run something on every supported Node
# (prebuild, check-prebuilds, bench-nodes, .ci/run): which majors, and where
# each one's binary and headers are. The Node on PATH serves its own major;
# every other major is fetched by scripts/node-dist.sh.
nodes_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# The supported majors (package.json's config.nodeMajors).
supported_majors() { node -p "require('$nodes_root/package.json').config.nodeMajors"; }

own_major() { node -p "process.versions.node.split('.')[0]"; }

# The directory holding Node MAJOR's `node`.
node_bin() {
  if [ "$1" = "$(own_major)" ]; then dirname "$(command -v node)"
  else echo "$("$nodes_root/scripts/node-dist.sh" "$1")/bin"; fi
}

# Headers for node-gyp to build against Node MAJOR: npm_config_nodedir for the
# Node on PATH when it is set (CI sets /usr, to build offline), else the
# fetched dist's.
node_headers() {
  if [ "$1" = "$(own_major)" ] && [ -n "${npm_config_nodedir:-}" ]; then echo "$npm_config_nodedir"
  else "$nodes_root/scripts/node-dist.sh" "$1"; fi
}

# Runs a command on Node MAJOR, building against its headers: on_node MAJOR CMD...
on_node() {
  local bin headers
  bin="$(node_bin "$1")"
  headers="$(node_headers "$1")"
  shift
  PATH="$bin:$PATH" npm_config_nodedir="$headers" "$@"
}
