import { dioAlignment } from 'linux-aio';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'aio-'));
writeFileSync(join(dir, 'data'), '');
// { memory: 512, offset: 512 } on ext4 over most disks; null on tmpfs
console.log(dioAlignment(join(dir, 'data')));
rmSync(dir, { recursive: true });
