import { expect } from 'chai';

import { parseWrk, wrkMs } from '../benchmarks/load-generator.js';

// The service benchmark's figures come from wrk's report: a misread unit or
// a run with failed answers must not become a figure.
describe("benchmark load generator: wrk's report", () => {
  const report = (extra = '') => `Running 1s test @ http://127.0.0.1:18555/
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   241.19us  512.94us   7.30ms   92.60%
    Req/Sec    35.93k    17.35k   48.96k    80.00%
  Latency Distribution
     50%   97.00us
     75%  141.00us
     90%  471.00us
     99%    2.76ms
  35664 requests in 1.00s, 4.18MB read
${extra}Requests/sec:  35651.59
Transfer/sec:      4.18MB
`;

  it('durations in us, ms and s are read as ms', () => {
    expect(wrkMs('241.19us')).to.be.closeTo(0.24119, 1e-9);
    expect(wrkMs('2.76ms')).to.equal(2.76);
    expect(wrkMs('1.50s')).to.equal(1500);
    expect(() => wrkMs('3.00m')).to.throw(/unknown duration/);
  });

  it('requests/s, the mean latency and the p99 come from their own lines', () => {
    const load = parseWrk(report());
    expect(load.requests).to.equal(35651.59);
    expect(load.mean).to.be.closeTo(0.24119, 1e-9);
    expect(load.p99).to.equal(2.76);
  });

  it('a run with answers other than 2xx/3xx, or socket errors, throws', () => {
    expect(() => parseWrk(report('  Non-2xx or 3xx responses: 52686\n'))).to.throw(/errors/);
    expect(() => parseWrk(report('  Socket errors: connect 0, read 3, write 0, timeout 0\n'))).to.throw(/errors/);
    expect(parseWrk(report('  Socket errors: connect 0, read 0, write 0, timeout 0\n')).requests).to.equal(35651.59);
  });

  it('a report without its figures throws', () => {
    expect(() => parseWrk('Running 1s test\n')).to.throw(/lacks/);
  });
});
