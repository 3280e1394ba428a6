import { expect } from 'chai';

import { RequestQueue } from '../lib/request-queue.js';
import { RequestState, type Submittable as AioRequest } from '../lib/submittable.js';

// The queue alone, with stand-ins for requests: the sizes a context with a
// raised fs.aio-max-nr can reach are more than a test may take from the
// machine-wide limit.
const queued = (i: number) => ({ id: i, _state: RequestState.Queued }) as unknown as AioRequest;
const idOf = (r: AioRequest | undefined) => (r as unknown as { id: number } | undefined)?.id;

describe('RequestQueue', () => {
  it('puts back a batch of 500,000 taken requests at the head, in order (more than fit in a call\'s arguments)', () => {
    const q = new RequestQueue();
    const all = Array.from({ length: 500_001 }, (_, i) => queued(i));
    for (const r of all) q.push(r);
    const taken: AioRequest[] = [];
    for (let i = 0; i < 500_000; i++) taken.push(q.shift()!);
    q.unshift(taken);
    expect(q.size).to.equal(500_001);
    for (let i = 0; i <= 500_000; i++) if (idOf(q.shift()) !== i) expect.fail(`entry ${i} out of order`);
    expect(q.shift()).to.equal(undefined);
    expect(q.size).to.equal(0);
  });

  it('passes over a request settled where it stood, and clear() forgets the rest', () => {
    const q = new RequestQueue();
    const [a, b, c] = [queued(0), queued(1), queued(2)];
    q.push(a); q.push(b); q.push(c);
    (b as unknown as { _state: RequestState })._state = RequestState.Settled;
    q.settledInPlace();
    expect(q.size).to.equal(2);
    expect(q.waiting().map(idOf)).to.deep.equal([0, 2]);
    expect(idOf(q.shift())).to.equal(0);
    expect(idOf(q.shift())).to.equal(2);
    q.push(queued(3));
    q.clear();
    expect(q.size).to.equal(0);
    expect(q.shift()).to.equal(undefined);
  });
});
