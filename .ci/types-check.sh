#!/usr/bin/env bash
# .ci/types-check.sh TARBALL: a TypeScript app importing linux-aio and
# linux-aio/promises type-checks under every moduleResolution a user may
# have: node10 (through typesVersions), node16/nodenext and bundler
# (through exports).
set -euo pipefail
tarball="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
root="$(cd "$(dirname "$0")/.." && pwd)"
app="$(mktemp -d)"
trap 'rm -rf "$app"' EXIT
cd "$app"
echo '{ "name": "app", "version": "1.0.0", "private": true, "type": "module" }' > package.json
npm install --no-audit --no-fund --ignore-scripts "$tarball" >/dev/null
mkdir -p node_modules/@types
ln -s "$root/node_modules/@types/node" node_modules/@types/node
cat > app.ts <<'TS'
import { AioContext, type Completion } from 'linux-aio';
import { open, backend } from 'linux-aio/promises';
export async function first(path: string): Promise<Completion> {
  const ctx = new AioContext();
  const fh = await open(path);
  return ctx.read(fh.fd, Buffer.alloc(16), 0, { tag: backend });
}
TS
for resolution in node10:esnext node16:node16 nodenext:nodenext bundler:esnext; do
  "$root/node_modules/.bin/tsc" --noEmit --strict --target es2022 --types node \
    --moduleResolution "${resolution%%:*}" --module "${resolution##*:}" app.ts
  echo "types-check: moduleResolution ${resolution%%:*} ok"
done
