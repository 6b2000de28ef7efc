import { execFileSync } from 'node:child_process';
import { repoRoot } from '../../tools/stack/paths.ts';
import { stackCli } from '../../tools/harness/stack-cli.ts';

/**
 * Set by bin/test.ts, which builds dist/ once before it starts the test projects side by side:
 * a set-up that rebuilt it would delete it under the tests of the other lane.
 */
const DIST_BUILT = 'LANTERN_TEST_DIST_BUILT';

/**
 * Brings one of the suite's own stacks up from empty data (dist/ built first, since the apps
 * under test load lantern/register from it); returns what stops it, also when bringing it up
 * failed halfway. LANTERN_KEEP_STACK=1 leaves it up (and its data, for a look at what the tests
 * wrote); the next run wipes it.
 */
export async function ownStack(
  env: Readonly<Record<string, string>>,
): Promise<() => Promise<void>> {
  if (process.env[DIST_BUILT] !== '1') {
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: repoRoot, stdio: 'inherit' });
  }
  try {
    await stackCli(env, ['down', '--wipe'], true);
    await stackCli(env, ['up'], true);
  } catch (error) {
    await stackCli(env, ['down']).catch(() => undefined);
    throw error;
  }
  return async () => {
    if (process.env.LANTERN_KEEP_STACK !== '1') await stackCli(env, ['down']);
  };
}
