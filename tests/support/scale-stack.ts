import { join } from 'node:path';
import { SCALE_PORT_SHIFT } from '../../tools/stack/scale-profile.ts';
import { loadStackSettings } from '../../tools/stack/settings.ts';
import { stackBeside } from '../../tools/harness/stack-cli.ts';
import { TEST_PORT_SHIFT, userStateDir } from './test-stack.ts';

/**
 * The scaled profile for the `scale` tests: `stack:up -- --scale` as a user runs it, but on
 * state of its own (.lantern/test-scale) and every port moved by a further 2000, so it runs
 * beside the developer's default and scaled stacks and beside the other test stacks.
 */
export const scaleTestEnv: Readonly<Record<string, string>> = {
  ...stackBeside(
    loadStackSettings({}),
    join(userStateDir, 'test-scale'),
    SCALE_PORT_SHIFT + TEST_PORT_SHIFT,
  ),
  LANTERN_SCALE: '1',
};
