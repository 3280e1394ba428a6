'use strict';
// The spec reporter, plus the plain closing line CI reads: `N passed, N failed`.
const { reporters, Runner } = require('mocha');

class SummaryReporter extends reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(Runner.constants.EVENT_RUN_END, () => {
      const { passes, failures, pending } = this.stats;
      const skipped = pending > 0 ? `, ${pending} skipped` : '';
      // Registered after spec's own epilogue listener, so this line comes last.
      console.log(`${passes} passed, ${failures} failed${skipped}`);
    });
  }
}

module.exports = SummaryReporter;
