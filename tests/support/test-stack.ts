import { join } from 'node:path';
import { stateDir } from '../../tools/stack/paths.ts';
import { loadStackSettings } from '../../tools/stack/settings.ts';
import { stackBeside } from '../../tools/harness/stack-cli.ts';

/**
 * The test suite's own stack: state under .lantern/test-stack (its Elasticsearch data apart
 * from the developer's) and every port moved by 2000, a shift that lands on no port of the
 * default stack (`npm start`) nor of the secured test stack (+20000). The `stack` vitest
 * project runs with this environment, so every test that reads the stack settings reaches it.
 */
export const TEST_PORT_SHIFT = 2_000;

export const testStackEnv = stackBeside(
  loadStackSettings({}),
  join(stateDir, 'test-stack'),
  TEST_PORT_SHIFT,
);
