import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot } from '../../tools/stack/paths.ts';
import { stackCli } from '../../tools/harness/stack-cli.ts';
import { testStackEnv } from './test-stack.ts';
import { snapshotUserStack, userStackChanges } from './user-stack.ts';

/**
 * Builds dist/ and brings the test suite's own stack (tests/support/test-stack.ts) up from empty data for the
 * whole run, and stops it afterwards, also when bringing it up fails halfway. The developer's
 * default stack is never touched: its indices, services and alerts are read before and after,
 * and the run fails if the tests changed them. LANTERN_KEEP_STACK=1 leaves the test stack up
 * (and its data, for a look at what the tests wrote); the next run wipes it.
 */
export default async function setup(): Promise<() => Promise<void>> {
  // The apps under test load lantern/register from dist/: build it from the current source.
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: repoRoot, stdio: 'inherit' });
  const before = await snapshotUserStack();
  // Twice, apart: if nothing changes meanwhile, nothing else is sending to it.
  await sleep(before ? 3_000 : 0);
  const settled = before && (await snapshotUserStack());
  const idle = JSON.stringify(before) === JSON.stringify(settled);
  try {
    await stackCli(testStackEnv, ['down', '--wipe'], true);
    await stackCli(testStackEnv, ['up'], true);
  } catch (error) {
    await stackCli(testStackEnv, ['down']).catch(() => undefined);
    throw error;
  }
  return async () => {
    if (process.env.LANTERN_KEEP_STACK !== '1') await stackCli(testStackEnv, ['down']);
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
