import { describe, expect, it } from 'vitest';
import { stateDir } from '../../../tools/stack/paths.ts';
import { loadStackSettings } from '../../../tools/stack/settings.ts';
import { secureStackEnv } from '../../support/secure-stack.ts';
import { testStackEnv } from '../../support/test-stack.ts';

const ports = (env: Readonly<Record<string, string>>): number[] =>
  Object.entries(loadStackSettings(env))
    .filter(([key]) => key.endsWith('_PORT'))
    .map(([, port]) => Number(port));

describe('the test stacks run beside the developer’s', () => {
  it('share no port with the default stack or with each other', () => {
    const all = [ports({}), ports(testStackEnv), ports(secureStackEnv)];
    const flat = all.flat();
    expect(new Set(flat).size).toBe(flat.length);
  });

  it('keep their state (and so their Elasticsearch data) in folders of their own', () => {
    const dirs = [stateDir, testStackEnv.LANTERN_STATE_DIR, secureStackEnv.LANTERN_STATE_DIR];
    expect(new Set(dirs).size).toBe(3);
    expect(testStackEnv.LANTERN_STATE_DIR).toMatch(/test-stack$/);
  });
});
