import { probe } from 'linux-aio';

const { kernel, aio, poll } = probe();
console.log(kernel, aio.supported ? 'kernel AIO works' : aio.reason);
console.log('poll:', poll.supported || poll.reason);
