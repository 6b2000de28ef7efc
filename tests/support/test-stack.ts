import { join } from 'node:path';
import { stackPaths } from '../../tools/stack/paths.ts';
import { loadStackSettings } from '../../tools/stack/settings.ts';
import { stackBeside } from '../../tools/harness/stack-cli.ts';

/**
 * The state folder of the developer's own stack, as the environment the test run was started in
 * names it (LANTERN_STATE_DIR, else .lantern): every test stack keeps its state in a folder of
 * its own below it.
 */
export const userStateDir = stackPaths(process.env).stateDir;

/**
 * LANTERN_TEST_PORT_OFFSET moves the test stacks further, so that two checkouts (git worktrees)
 * can run their stack tests at once; unset, it is 0.
 */
function extraShift(): number {
  const raw = process.env.LANTERN_TEST_PORT_OFFSET ?? '0';
  const offset = Number(raw);
  if (!Number.isInteger(offset) || offset < 0 || offset > 40_000) {
    throw new Error(`LANTERN_TEST_PORT_OFFSET must be a whole number from 0 to 40000, not ${raw}`);
  }
  return offset;
}

/**
 * The test suite's own stack: state under .lantern/test-stack (its Elasticsearch data apart
 * from the developer's) and every port moved by 2000, a shift that lands on no port of the
 * default stack (`npm start`) nor of the secured test stack (+20000). The `stack` vitest
 * project runs with this environment, so every test that reads the stack settings reaches it.
 */
export const TEST_PORT_SHIFT = 2_000 + extraShift();

export const testStackEnv = stackBeside(
  loadStackSettings({}),
  join(userStateDir, 'test-stack'),
  TEST_PORT_SHIFT,
);

/**
 * The fault tests' own stack (state under .lantern/fault-stack, every port moved by 8000): they
 * stop and kill its servers, so they run on a stack of their own, at the same time as the other
 * tests run on theirs (bin/test.ts).
 */
export const FAULT_PORT_SHIFT = 8_000 + extraShift();

export const faultStackEnv = stackBeside(
  loadStackSettings({}),
  join(userStateDir, 'fault-stack'),
  FAULT_PORT_SHIFT,
);
