// How many kernel AIO contexts this process holds. Each maps the kernel's
// completion ring into the process, shown as `/[aio]` in /proc/self/maps;
// io_destroy unmaps it at the same point where it gives the context's
// events back to fs.aio-nr. Unlike fs.aio-nr, which counts every process
// on the machine, this counts only ours, so tests and benchmarks can check
// it exactly while anything else on the machine uses kernel AIO.
import { readFileSync } from 'node:fs';

/** Kernel AIO contexts this process holds now (0 where /proc is unavailable). */
export function aioRingsHeld(): number {
  let maps: string;
  try {
    maps = readFileSync('/proc/self/maps', 'utf8');
  } catch {
    return 0;
  }
  let count = 0;
  for (let at = maps.indexOf('/[aio]'); at !== -1; at = maps.indexOf('/[aio]', at + 1)) count++;
  return count;
}
