import { stackCli } from '../../tools/harness/stack-cli.ts';
import { scaleTestEnv } from './scale-stack.ts';

/**
 * Brings the scaled test stack (tests/support/scale-stack.ts) up from empty data for the
 * `scale` tests and stops it afterwards, also when bringing it up fails halfway.
 * LANTERN_KEEP_STACK=1 leaves it up.
 */
export default async function setup(): Promise<() => Promise<void>> {
  try {
    await stackCli(scaleTestEnv, ['down', '--wipe', '--scale'], true);
    await stackCli(scaleTestEnv, ['up', '--scale'], true);
  } catch (error) {
    await stackCli(scaleTestEnv, ['down', '--scale']).catch(() => undefined);
    throw error;
  }
  return async () => {
    if (process.env.LANTERN_KEEP_STACK !== '1') await stackCli(scaleTestEnv, ['down', '--scale']);
  };
}
