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
  // On direct files some operations are block-aligned (the zero-copy path),
  // the rest any size, offset and position (the bounce-buffer path).
  const aligned = () => direct && random() < 0.3;
  const size = (al: boolean) => (al ? 512 * (1 + int(24)) : 1 + int(9000));
  const position = (al: boolean): number | bigint | null => {
    const r = random();
    if (r < 0.15) return null;
    if (r < 0.2) return -1;
    // Odd positions: writes take them as the current position; read()
    // does too on Node 20, and from Node 21 refuses them but for bigints,
    // which it reads at. Direct handles must do what the running node does.
    if (r < 0.25) return pick([BigInt(int(40000)), -2, 1.5, NaN]) as never;
    return al ? 512 * int(80) : int(40000);
  };
  const seed = int(2 ** 30);
  // Each side gets its own buffer with the same bytes.
  const buf = (n: number, salt: number, al: boolean) => () => {
    const b = al ? allocAligned(n) : Buffer.alloc(n);
    patternBytes(n, seed + salt).copy(b);
    return b;
  };
  const ops: Op[] = [];
  for (let i = 0; i < steps; i++) {
    const al = aligned();
    const kind = random();
    if (kind < 0.22) {
      const n = size(al); const make = buf(n, i, al); const pos = position(al);
      const offset = al ? 0 : int(Math.min(n, 64));
      const length = pick([undefined, n - offset, Math.max(0, n - offset - int(16)), n + 5]);
      ops.push({ describe: `read(buf[${n}], ${offset}, ${length}, ${pos})`, run: ({ fh }) => fh.read(make(), offset, length as number, pos as number) });
    } else if (kind < 0.3) {
      const n = size(al); const make = buf(n, i, al); const pos = position(al);
      ops.push({ describe: `read({ buffer[${n}], position: ${pos} })`, run: ({ fh }) => fh.read({ buffer: make(), position: pos as number }) });
    } else if (kind < 0.36) {
      const n = size(al); const make = buf(n, i, al); const pos = position(al);
      ops.push({ describe: `read(buf[${n}], { position: ${pos} })`, run: ({ fh }) => fh.read(make(), { position: pos as number }) });
    } else if (kind < 0.52) {
      const n = size(al); const make = buf(n, i + 1000, al); const pos = position(al);
      const offset = al ? 0 : int(Math.min(n, 32));
      const length = al ? n : pick([undefined, n - offset, int(n - offset + 1)]);
      ops.push({ describe: `write(buf[${n}], ${offset}, ${length}, ${pos})`, run: ({ fh }) => fh.write(make(), offset, length, pos as number) });
    } else if (kind < 0.58) {
      const text = `text-${i}-${'é'.repeat(int(5))}`; const pos = position(false);
      ops.push({ describe: `write('${text}', ${pos})`, run: ({ fh }) => fh.write(text, pos as number, 'utf8') });
    } else if (kind < 0.66) {
      const sizes = Array.from({ length: 1 + int(3) }, () => size(al)); const makes = sizes.map((n, j) => buf(n, i * 10 + j, al)); const pos = position(al);
      ops.push({ describe: `readv([${sizes}], ${pos})`, run: ({ fh }) => fh.readv(makes.map((m) => m()), pos as number) });
    } else if (kind < 0.74) {
      const sizes = Array.from({ length: 1 + int(3) }, () => size(al)); const makes = sizes.map((n, j) => buf(n, i * 10 + j + 5000, al)); const pos = position(al);
      ops.push({ describe: `writev([${sizes}], ${pos})`, run: ({ fh }) => fh.writev(makes.map((m) => m()), pos as number) });
    } else if (kind < 0.79) {
      const len = al ? 512 * int(100) : int(50000);
      ops.push({ describe: `truncate(${len})`, run: ({ fh }) => fh.truncate(len) });
    } else if (kind < 0.83) {
      const data = `append-${i};`;
      ops.push({ describe: `appendFile('${data}')`, run: ({ fh }) => fh.appendFile(data) });
    } else if (kind < 0.85) {
      const data = pick([`whole-${i}`, patternBytes(1 + int(20000), seed + i)]);
      ops.push({ describe: `writeFile(${typeof data === 'string' ? data : `buf[${data.length}]`})`, run: ({ fh }) => fh.writeFile(data) });
    } else if (kind < 0.87) {
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
    // DIFF_SEQUENCES=n runs more (or fewer) sequences, for a longer search.
    const sequences = Number(process.env.DIFF_SEQUENCES) || (direct ? 200 : 300);
    const what = direct ? 'direct-I/O files (against buffered node:fs)' : 'buffered files';
    it(`${sequences} generated sequences on ${what}: same results, errors and bytes`, async () => {
      const before = aioFs.stats();
      for (let s = 0; s < sequences; s++) {
        const seed = 0x5eed0000 + s + (direct ? 1 << 20 : 0);
        const random = rng(seed);
        const initial = patternBytes(Math.floor(random() * 20000), seed);
        const paths = [join(scratch.dir, `node-${s}`), join(scratch.dir, `aio-${s}`)];
        await Promise.all(paths.map((p) => nodeFs.writeFile(p, initial)));
        // Direct files are opened with O_DIRECT in flags, or with { direct: true };
        // one in four appends. node's side is always buffered: direct I/O
        // must give what buffered I/O gives.
        const append = direct && random() < 0.25;
        const flags = append ? 'a+' : O_RDWR | O_CREAT;
        const node: Side = { path: paths[0], fh: await nodeFs.open(paths[0], flags) };
        const ours: Side = {
          path: paths[1],
          fh: !direct ? await aioFs.open(paths[1], flags)
            : random() < 0.5 && !append ? await aioFs.open(paths[1], O_RDWR | O_CREAT | O_DIRECT)
              : await aioFs.open(paths[1], flags, 0o666, { direct: true }),
        };
        const ops = generate(random, direct, 12 + Math.floor(random() * 20));
        try {
          for (const [i, op] of ops.entries()) {
            const expected = await settle(() => op.run(node));
            const actual = await settle(() => op.run(ours));
            const sizes = `sizes node ${(await node.fh.stat()).size}, ours ${(await ours.fh.stat()).size}`;
            const where = `${sizes}; seed ${seed.toString(16)}, step ${i}: ${op.describe}\n  program: ${ops.map((o) => o.describe).join('; ')}`;
            // Where the two differ first, in their JSON, for the message.
            const [je, ja] = [String(JSON.stringify(expected)), String(JSON.stringify(actual))];
            let d = 0;
            while (d < je.length && je[d] === ja[d]) d++;
            const around = (j: string) => j.slice(Math.max(0, d - 60), d + 60);
            expect(actual, `${where}\n  first difference at ${d}:\n  node: ${around(je)}\n  ours: ${around(ja)}`).to.deep.equal(expected);
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
