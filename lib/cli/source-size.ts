// When a source's stat size is a length the copy can be checked against.
import { statfsSync, type Stats } from 'node:fs';

const SYSFS_MAGIC = 0x62656572;

/**
 * Whether `stats.size` is the length of the file at `path`. procfs files
 * (and others made up as they are read) say 0, and sysfs attributes 4096,
 * whatever they hold: they are read to their end, and their size says
 * nothing about what was read.
 */
export function sizeIsLength(path: string, stats: Stats): boolean {
  return stats.size !== 0 && statfsSync(path).type >>> 0 !== SYSFS_MAGIC;
}
