import { allocAligned, isAligned } from 'linux-aio';

const buffer = allocAligned(8192);
console.log(isAligned(buffer, 4096)); // true
console.log(isAligned(buffer.subarray(1), 2)); // false
