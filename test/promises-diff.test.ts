import { expect } from 'chai';
import * as nodeFs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

import { allocAligned } from '../lib/index.js';
import * as aioFs from '../lib/promises.js';
import { O_CREAT, O_DIRECT, O_RDWR, patternBytes, rng, scratchDir } from './support/helpers.js';

// The same generated operations through node:fs/promises and
// linux-aio/promises, on two files that start identical: every return value,
// every error and the final bytes must be the same.

type Side = { fh: FileHandle; path: string };
type Op = { describe: string; run: (side: Side) => Promise<unknown> };

function outcome(value: unknown): unknown {
  if (value instanceof Error) {
    const e = value as Error & { code?: unknown; errno?: unknown; syscall?: unknown; path?: unknown };
    return { error: true, name: e.name, message: e.message, code: e.code, errno: e.errno, syscall: e.syscall };
  }
  return snapshot(value);
}

function snapshot(value: unknown): unknown {
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  if (Array.isArray(value)) return value.map(snapshot);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = { proto: Object.getPrototypeOf(value) === null ? 'null' : 'object' };
    for (const [k, v] of Object.entries(value)) out[k] = snapshot(v);
    return out;
  }
  return value;
}

function generate(random: () => number, direct: boolean, steps: number): Op[] {
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(xs: T[]): T => xs[int(xs.length)];
  const unit = direct ? 4096 : 1;
  const size = () => (direct ? 4096 * (1 + int(4)) : 1 + int(9000));
  const position = (): number | bigint | null => {
    const r = random();
    if (r < 0.15) return null;
    if (r < 0.2) return -1;
    if (r < 0.25) return BigInt(unit * int(8));
    return direct ? 4096 * int(10) : int(40000);
  };
  const seed = int(2 ** 30);
  // Each side gets its own buffer with the same bytes.
  const buf = (n: number, salt: number) => () => {
    const b = direct ? allocAligned(n) : Buffer.alloc(n);
    patternBytes(n, seed + salt).copy(b);
    return b;
  };
  const ops: Op[] = [];
  for (let i = 0; i < steps; i++) {
    const kind = random();
    if (kind < 0.22) {
      const n = size(); const make = buf(n, i); const pos = position();
      const offset = direct ? 0 : int(Math.min(n, 64));
      const length = pick([undefined, n - offset, Math.max(0, n - offset - int(16)), n + 5]);
      ops.push({ describe: `read(buf[${n}], ${offset}, ${length}, ${pos})`, run: ({ fh }) => fh.read(make(), offset, length as number, pos as number) });
    } else if (kind < 0.3) {
      const n = size(); const make = buf(n, i); const pos = position();
      ops.push({ describe: `read({ buffer[${n}], position: ${pos} })`, run: ({ fh }) => fh.read({ buffer: make(), position: pos as number }) });
    } else if (kind < 0.36) {
      const n = size(); const make = buf(n, i); const pos = position();
      ops.push({ describe: `read(buf[${n}], { position: ${pos} })`, run: ({ fh }) => fh.read(make(), { position: pos as number }) });
    } else if (kind < 0.52) {
      const n = size(); const make = buf(n, i + 1000); const pos = position();
      const offset = direct ? 0 : int(Math.min(n, 32));
      const length = direct ? n : pick([undefined, n - offset, int(n - offset + 1)]);
      ops.push({ describe: `write(buf[${n}], ${offset}, ${length}, ${pos})`, run: ({ fh }) => fh.write(make(), offset, length, pos as number) });
    } else if (kind < 0.58 && !direct) {
      const text = `text-${i}-${'é'.repeat(int(5))}`; const pos = position();
      ops.push({ describe: `write('${text}', ${pos})`, run: ({ fh }) => fh.write(text, pos as number, 'utf8') });
    } else if (kind < 0.66) {
      const sizes = Array.from({ length: 1 + int(3) }, size); const makes = sizes.map((n, j) => buf(n, i * 10 + j)); const pos = position();
      ops.push({ describe: `readv([${sizes}], ${pos})`, run: ({ fh }) => fh.readv(makes.map((m) => m()), pos as number) });
    } else if (kind < 0.74) {
      const sizes = Array.from({ length: 1 + int(3) }, size); const makes = sizes.map((n, j) => buf(n, i * 10 + j + 5000)); const pos = position();
      ops.push({ describe: `writev([${sizes}], ${pos})`, run: ({ fh }) => fh.writev(makes.map((m) => m()), pos as number) });
    } else if (kind < 0.79) {
      const len = direct ? 4096 * int(12) : int(50000);
      ops.push({ describe: `truncate(${len})`, run: ({ fh }) => fh.truncate(len) });
    } else if (kind < 0.83 && !direct) {
      const data = `append-${i};`;
      ops.push({ describe: `appendFile('${data}')`, run: ({ fh }) => fh.appendFile(data) });
    } else if (kind < 0.87 && !direct) {
      // (On O_DIRECT, node's own readFile succeeds or fails with the alignment malloc happens to give.)
      const enc = pick([undefined, 'utf8', 'base64']) as BufferEncoding | undefined;
      ops.push({ describe: `readFile(${enc})`, run: ({ fh }) => fh.readFile(enc === undefined ? undefined : { encoding: enc }) });
    } else if (kind < 0.9) {
      ops.push({ describe: 'stat().size', run: async ({ fh }) => (await fh.stat()).size });
    } else if (kind < 0.94) {
      ops.push({ describe: 'sync() + datasync()', run: async ({ fh }) => [await fh.sync(), await fh.datasync()] });
    } else {
      // Invalid arguments: errors must match too.
      const bad = pick([
        { d: 'read(buf[4], 0, 10, 0)', f: (fh: FileHandle) => fh.read(Buffer.alloc(4), 0, 10, 0) },
        { d: 'read(buf[4], -1, 1, 0)', f: (fh: FileHandle) => fh.read(Buffer.alloc(4), -1, 1, 0) },
        { d: "read('x')", f: (fh: FileHandle) => fh.read('x' as never) },
        { d: 'write(buf[4], 5)', f: (fh: FileHandle) => fh.write(Buffer.alloc(4), 5) },
        { d: 'readv(null)', f: (fh: FileHandle) => fh.readv(null as never) },
        { d: "writev(['x'])", f: (fh: FileHandle) => fh.writev(['x'] as never) },
        { d: 'read(empty)', f: (fh: FileHandle) => fh.read(Buffer.alloc(0), 0, 1, 0) },
      ]);
      ops.push({ describe: bad.d, run: ({ fh }) => bad.f(fh) });
    }
  }
  return ops;
}

async function settle(p: () => Promise<unknown>): Promise<unknown> {
  try {
    return outcome(await p());
  } catch (e) {
    return outcome(e);
  }
}

describe('linux-aio/promises against node:fs/promises (differential)', function () {
  this.timeout(120000);
  const scratch = scratchDir();
  after(() => scratch.cleanup());

  for (const direct of [false, true]) {
    const sequences = direct ? 80 : 300;
    it(`${sequences} generated sequences on ${direct ? 'O_DIRECT' : 'buffered'} files: same results, errors and bytes`, async () => {
      const before = aioFs.stats();
      for (let s = 0; s < sequences; s++) {
        const seed = 0x5eed0000 + s + (direct ? 1 << 20 : 0);
        const random = rng(seed);
        const initial = patternBytes(direct ? 4096 * (1 + Math.floor(random() * 8)) : Math.floor(random() * 20000), seed);
        const flags = O_RDWR | O_CREAT | (direct ? O_DIRECT : 0);
        const paths = [join(scratch.dir, `node-${s}`), join(scratch.dir, `aio-${s}`)];
        await Promise.all(paths.map((p) => nodeFs.writeFile(p, initial)));
        const node: Side = { path: paths[0], fh: await nodeFs.open(paths[0], flags) };
        const ours: Side = { path: paths[1], fh: await aioFs.open(paths[1], flags) };
        const ops = generate(random, direct, 12 + Math.floor(random() * 20));
        try {
          for (const [i, op] of ops.entries()) {
            const expected = await settle(() => op.run(node));
            const actual = await settle(() => op.run(ours));
            const where = `seed ${seed.toString(16)}, step ${i}: ${op.describe}\n  program: ${ops.map((o) => o.describe).join('; ')}`;
            const show = (v: unknown) => String(JSON.stringify(v)).slice(0, 400);
            expect(actual, `${where}\n  node: ${show(expected)}\n  ours: ${show(actual)}`).to.deep.equal(expected);
          }
        } finally {
          await node.fh.close();
          await ours.fh.close();
        }
        const [a, b] = await Promise.all(paths.map((p) => nodeFs.readFile(p)));
        expect(b.equals(a), `seed ${seed.toString(16)}: final bytes`).to.equal(true);
      }
      const after = aioFs.stats();
      // The kernel path was really taken, and the threadpool too.
      expect(after.kernel - before.kernel).to.be.greaterThan(sequences);
      expect(after.threadpool - before.threadpool).to.be.greaterThan(0);
    });
  }
});
