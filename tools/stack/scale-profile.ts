import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadStackSettings } from './settings.ts';

/**
 * Every port of the scaled profile is the default profile's moved by this much, a shift that
 * lands on no port of the default stack, the test stacks (+2000, +6000) or the secured ones.
 */
export const SCALE_PORT_SHIFT = 4_000;

/**
 * The environment of the scaled profile: LANTERN_SCALE, its own state folder (.lantern/scale)
 * and every port not set explicitly moved by SCALE_PORT_SHIFT, so it runs beside the default
 * stack without touching its data. Laid over `env` before the settings are read from it.
 */
export function scaleProfileEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
  const defaults = loadStackSettings({});
  const ports: [string, string][] = Object.entries(defaults)
    .filter(([key]) => key.endsWith('_PORT') && env[key] === undefined)
    .map(([key, port]) => [key, String(Number(port) + SCALE_PORT_SHIFT)]);
  return {
    LANTERN_SCALE: '1',
    LANTERN_STATE_DIR: env.LANTERN_STATE_DIR ?? join(repoRoot, '.lantern', 'scale'),
    ...Object.fromEntries(ports),
  };
}
