import { loadStackSettings } from '../../tools/stack/settings.ts';
import { stackDown, stackIsUp, stackUp } from '../../tools/stack/stack.ts';

/**
 * Brings the real local stack up once for the whole test run. A stack that was already running
 * is left running; one started here is stopped afterwards, and also when bringing it up fails
 * halfway (servers left running would hold their ports for the next run).
 */
export default async function setup(): Promise<() => Promise<void>> {
  const settings = loadStackSettings();
  if (await stackIsUp(settings)) return () => Promise.resolve();
  try {
    await stackUp(settings);
  } catch (error) {
    await stackDown().catch(() => undefined);
    throw error;
  }
  return async () => {
    if (process.env.LANTERN_KEEP_STACK === '1') return;
    await stackDown();
  };
}
