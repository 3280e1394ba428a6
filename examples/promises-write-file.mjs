import { mkdtemp, readFile, rm, writeFile } from 'linux-aio/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = await mkdtemp(join(tmpdir(), 'aio-'));
const path = join(dir, 'config.json');
await writeFile(path, JSON.stringify({ port: 8080 }));
console.log(await readFile(path, 'utf8')); // {"port":8080}
await rm(dir, { recursive: true });
