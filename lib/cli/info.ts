// linux-aio info [PATH]: what this kernel and the filesystem of PATH support.
import { closeSync, constants as fsConstants, openSync, readFileSync, statfsSync, statSync, unlinkSync } from 'node:fs';
import { arch } from 'node:os';
import { join } from 'node:path';

import { dioAlignment } from '../buffers.js';
import { probe, type Feature } from '../probe.js';
import { backendReason, currentBackend } from '../shared-context.js';
import { UsageError } from './args.js';
import type { Command } from './command.js';

const { O_DIRECT, O_RDONLY } = fsConstants;

interface Line { name: string; supported: boolean; detail: string }

// statfs f_type of the filesystems people run services on.
const FILESYSTEMS: Record<number, string> = {
  0xef53: 'ext2/3/4', 0x58465342: 'xfs', 0x9123683e: 'btrfs', 0x01021994: 'tmpfs', 0x794c7630: 'overlayfs',
  0x6969: 'nfs', 0xff534d42: 'cifs', 0x2fc12fc1: 'zfs', 0xf2f52010: 'f2fs', 0x65735546: 'fuse', 0x4d44: 'vfat',
  0x5346544e: 'ntfs', 0x3153464a: 'jfs', 0x52654973: 'reiserfs', 0xca451a4e: 'bcachefs', 0x6e736673: 'nsfs',
  0x9fa0: 'proc', 0x62656572: 'sysfs',
};

const filesystem = (path: string) => {
  const type = statfsSync(path).type >>> 0;
  return FILESYSTEMS[type] ?? `filesystem type 0x${type.toString(16)}`;
};

const feature = (name: string, f: Feature, detail = ''): Line =>
  ({ name, supported: f.supported, detail: f.supported ? detail : f.reason ?? '' });

function aioEvents(): Line {
  let nr: number;
  let max: number;
  try {
    nr = Number(readFileSync('/proc/sys/fs/aio-nr', 'utf8'));
    max = Number(readFileSync('/proc/sys/fs/aio-max-nr', 'utf8'));
  } catch (error) {
    return { name: 'aio-nr', supported: false, detail: `cannot read /proc/sys/fs/aio-nr: ${(error as Error).message}` };
  }
  return nr < max
    ? { name: 'aio-nr', supported: true, detail: `${nr} of ${max} events reserved (fs.aio-max-nr)` }
    : { name: 'aio-nr', supported: false,
      detail: `${nr} of ${max} events reserved: new contexts fail with EAGAIN; raise it with sysctl -w fs.aio-max-nr=${Math.max(max * 2, 65536)}` };
}

/**
 * Whether files at `path` open with O_DIRECT, and the alignment statx gives.
 * A directory is tried through a new empty file in it, removed at once.
 */
function directIo(path: string): Line {
  const name = 'O_DIRECT';
  const isDirectory = statSync(path).isDirectory();
  const where = `${path} (${filesystem(path)})`;
  let file = path;
  let made = false;
  if (isDirectory) {
    file = join(path, `.linux-aio-info-${process.pid}`);
    try {
      closeSync(openSync(file, 'wx', 0o600));
      made = true;
    } catch (error) {
      return { name, supported: false, detail: `${where}: cannot make a test file here (${(error as Error).message}); name a file on it instead` };
    }
  }
  try {
    try {
      closeSync(openSync(file, O_RDONLY | O_DIRECT));
    } catch (error) {
      const code = (error as { code?: string }).code;
      const why = code === 'EINVAL' ? 'the filesystem refuses O_DIRECT (EINVAL)' : (error as Error).message;
      return { name, supported: false, detail: `${where}: ${why}` };
    }
    const align = dioAlignment(file);
    return {
      name,
      supported: true,
      detail: align === null
        ? `${where}: alignment not reported (statx STATX_DIOALIGN needs Linux >= 6.1); 4096 is the usual safe choice`
        : `${where}: buffers aligned to ${align.memory} bytes, offsets and lengths to ${align.offset}`,
    };
  } finally {
    if (made) unlinkSync(file);
  }
}

function dropIn(): Line {
  const reason = backendReason();
  return currentBackend() === 'kernel-aio'
    ? { name: 'drop-in backend', supported: true, detail: 'kernel-aio: linux-aio/promises goes through kernel AIO' }
    : { name: 'drop-in backend', supported: false, detail: `node-fs: linux-aio/promises falls back to node:fs (${reason ?? 'kernel AIO unavailable'})` };
}

export const info: Command = {
  name: 'info',
  summary: 'what this kernel and a filesystem support',
  options: { json: 'flag' },
  help: `usage: linux-aio info [--json] [PATH]

Says what this kernel supports (kernel AIO, poll, fsync, RWF_NOWAIT), how
many AIO events are reserved machine-wide, whether the filesystem of PATH
(default: the current directory) takes O_DIRECT and with which alignment
(statx), and which backend linux-aio/promises will use. Each line is yes or
no, with the reason when no.

options:
  --json     one JSON object instead of lines
  -h, --help this text
`,
  async run(args) {
    if (args.operands.length > 1) throw new UsageError(`extra operand '${args.operands[1]}'`);
    const path = args.operands[0] ?? '.';
    const p = probe();
    const lines: Line[] = [
      feature('kernel AIO', p.aio, 'io_setup works'),
      feature('poll', p.poll, 'IOCB_CMD_POLL'),
      feature('fsync', p.fsync, 'IOCB_CMD_FSYNC and IOCB_CMD_FDSYNC'),
      feature('RWF_NOWAIT', p.nowait, 'reads served from the page cache or refused at once'),
      aioEvents(),
      directIo(path),
      dropIn(),
    ];
    if (args.options.has('json')) {
      process.stdout.write(`${JSON.stringify({ kernel: p.kernel, arch: arch(), node: process.version, path, features: lines }, null, 2)}\n`);
      return 0;
    }
    process.stdout.write(`Linux ${p.kernel} ${arch()}, node ${process.version}\n`);
    const width = Math.max(...lines.map((l) => l.name.length)) + 2;
    for (const l of lines) process.stdout.write(`${l.name.padEnd(width)}${l.supported ? 'yes' : 'no '}  ${l.detail}\n`);
    return 0;
  },
};
