import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { secureStackCli, secureStackEnv } from './secure-stack.ts';

/** Where the set-up's own output is kept, for the test that no secret is ever printed. */
export const setupOutputFile = join(secureStackEnv.LANTERN_STATE_DIR ?? '', 'stack-up.out');

/**
 * Brings the secured test stack up beside the plain one, from empty data; stops it afterwards,
 * and also when bringing it up fails halfway (servers left running would hold their ports for
 * the next run).
 */
export default async function setup(): Promise<() => Promise<void>> {
  try {
    await secureStackCli('down', '--wipe');
    writeFileSync(setupOutputFile, await secureStackCli('up', '--secure'));
  } catch (error) {
    await secureStackCli('down').catch(() => undefined);
    throw error;
  }
  return async () => {
    if (process.env.LANTERN_KEEP_STACK === '1') return;
    await secureStackCli('down');
  };
}
