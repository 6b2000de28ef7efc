import { setTimeout as sleep } from 'node:timers/promises';
import { ownStack } from './own-stack.ts';
import { testStackEnv } from './test-stack.ts';
import { snapshotUserStack, userStackChanges } from './user-stack.ts';

/**
 * Brings the test suite's own stack (tests/support/test-stack.ts) up for the whole run and stops
 * it afterwards. The developer's default stack is never touched: its indices, services and
 * alerts are read before and after, and the run fails if the tests changed them.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const before = await snapshotUserStack();
  // Twice, apart: if nothing changes meanwhile, nothing else is sending to it.
  await sleep(before ? 3_000 : 0);
  const settled = before && (await snapshotUserStack());
  const idle = JSON.stringify(before) === JSON.stringify(settled);
  const stop = await ownStack(testStackEnv);
  return async () => {
    await stop();
    if (!settled) return;
    const after = await snapshotUserStack();
    const changes = after ? userStackChanges(settled, after, idle) : ['it stopped answering'];
    if (changes.length > 0) {
      throw new Error(
        `the test run changed the default stack:\n  ${changes.join('\n  ')}\n` +
          '(unless something else used it meanwhile: an `npm start` or `npm run analysis` of yours)',
      );
    }
  };
}
