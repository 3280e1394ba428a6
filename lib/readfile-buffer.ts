// Whether the running node's readFile takes `options.buffer` (reads into
// the caller's memory, or into what a function of the size returns): node
// 24 and 26 do (as tested: 24.22, 26.12), earlier ones ignore it. Learned
// from node's own readFile, not its version number: node validates the option before it
// looks at anything else, so a getter on it tells. The call has a signal
// already aborted, so node rejects (AbortError) before it opens anything.
import * as nodeFs from 'node:fs/promises';

let takes: boolean | undefined;

export function readFileTakesBuffer(): boolean {
  if (takes === undefined) {
    let asked = false;
    const options = {
      get buffer() {
        asked = true;
        return undefined;
      },
      signal: AbortSignal.abort(),
    };
    nodeFs.readFile('', options as Parameters<typeof nodeFs.readFile>[1]).catch(() => {});
    takes = asked;
  }
  return takes;
}
