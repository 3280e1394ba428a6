import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { closeSync, constants as fsConstants, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root (tests run from dist/test). */
export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
/** The compiled library entry, for child-process scripts. */
export const ENTRY = join(ROOT, 'dist/lib/index.js');

export const { O_DIRECT, O_RDONLY, O_WRONLY, O_RDWR, O_APPEND, O_CREAT, O_NONBLOCK } = fsConstants;

/** A scratch directory on the temp filesystem (the O_DIRECT tests need one that takes it, such as ext4). */
export function scratchDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'linux-aio-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** xorshift32: the next state from `x` (a non-zero int32). */
function xorshift(x: number): number {
  x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
  return x;
}

/** Deterministic pseudo-random bytes, so failures reproduce. */
export function patternBytes(length: number, seed = 1): Buffer {
  const b = Buffer.allocUnsafe(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x = xorshift(x);
    b[i] = x & 0xff;
  }
  return b;
}

/** A seeded PRNG in [0, 1). */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x = xorshift(x);
    return (x >>> 0) / 2 ** 32;
  };
}

/** Opens fds and closes them all at once. */
export class Fds {
  #fds: number[] = [];
  open(path: string, flags: number, mode = 0o644): number {
    const fd = openSync(path, flags, mode);
    this.#fds.push(fd);
    return fd;
  }
  track(fd: number): number {
    this.#fds.push(fd);
    return fd;
  }
  closeAll(): void {
    for (const fd of this.#fds.splice(0)) {
      try { closeSync(fd); } catch { /* already closed by the test */ }
    }
  }
}

/** A pipe as a FIFO: [readFd, writeFd], the read end non-blocking for node:fs checks. */
export function makePipe(dir: string, fds: Fds, name = `fifo-${Math.random().toString(36).slice(2)}`): [number, number] {
  const path = join(dir, name);
  execFileSync('mkfifo', [path]);
  const r = fds.open(path, O_RDONLY | O_NONBLOCK);
  const w = fds.open(path, O_WRONLY);
  return [r, w];
}

export function writeFile(path: string, data: Uint8Array): string {
  writeFileSync(path, data);
  return path;
}

/** Kernel AIO contexts this process holds (not fs.aio-nr, which counts the whole machine). */
export { aioRingsHeld } from '../../benchmarks/aio-rings.js';
/** The compiled aio-rings module, for child-process scripts that must not load the addon. */
export const AIO_RINGS = join(ROOT, 'dist/benchmarks/aio-rings.js');

export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export interface RunResult { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; timedOut: boolean }

export interface RunOptions { timeoutMs?: number; args?: string[]; env?: NodeJS.ProcessEnv; cwd?: string }

/** Runs an ES module script in a child Node (after `args`), killing it after `timeoutMs`. */
export function runNode(source: string, options: RunOptions = {}): Promise<RunResult> {
  return runChild(process.execPath, [...(options.args ?? []), '--input-type=module', '-e', source], options);
}

/** Runs `command` with `args`, collecting its output, killing it after `timeoutMs`. */
export function runChild(command: string, args: string[], options: Omit<RunOptions, 'args'> = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, options.timeoutMs ?? 15000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

/**
 * Compiles a C file that replaces glibc's syscall() for the syscall numbers
 * it handles and passes every other through, for LD_PRELOAD into a child
 * Node. `body` runs with `n` (the number) and `a[0..5]` (the arguments) and
 * may `return`; `real(...)` is the genuine syscall(); `prelude` goes before
 * the function (includes, state). Returns the .so path,
 * or null where no C compiler is available.
 */
export function syscallShim(dir: string, name: string, body: string, prelude = ''): string | null {
  const source = join(dir, `${name}.c`);
  const lib = join(dir, `${name}.so`);
  writeFileSync(source, `
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <sys/syscall.h>
${prelude}
static long (*real)(long, ...);
long syscall(long n, ...) {
  va_list ap; long a[6]; int i;
  va_start(ap, n); for (i = 0; i < 6; i++) a[i] = va_arg(ap, long); va_end(ap);
  if (!real) real = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
  ${body}
  return real(n, a[0], a[1], a[2], a[3], a[4], a[5]);
}
`);
  try {
    execFileSync('cc', ['-shared', '-fPIC', '-o', lib, source, '-ldl'], { stdio: 'pipe' });
  } catch {
    return null;
  }
  return existsSync(lib) ? lib : null;
}

/** The environment for a child with `lib` preloaded after whatever is already (a sanitizer runtime). */
export function preloadEnv(lib: string): NodeJS.ProcessEnv {
  return { ...process.env, LD_PRELOAD: [process.env.LD_PRELOAD, lib].filter(Boolean).join(':') };
}

/** What `run` rejected with, as `shape` describes it, or `{ resolved: true }` when it did not reject. */
export async function rejection<T>(run: () => Promise<unknown>, shape: (e: unknown) => T): Promise<T | { resolved: true }> {
  try {
    await run();
  } catch (e) {
    return shape(e);
  }
  return { resolved: true };
}
