import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, stateDir } from '../../../tools/stack/paths.ts';
import { scaleProfileEnv } from '../../../tools/stack/scale-profile.ts';
import { loadStackSettings } from '../../../tools/stack/settings.ts';
import { serversOf } from '../../../tools/stack/stack.ts';
import { scaleTestEnv } from '../../support/scale-stack.ts';
import { secureStackEnv } from '../../support/secure-stack.ts';
import { testStackEnv } from '../../support/test-stack.ts';

/** Every port a stack's servers listen on, each instance of the scaled profile included. */
const ports = (env: Readonly<Record<string, string>>): number[] => {
  const settings = loadStackSettings(env);
  return serversOf(settings).flatMap((server) => server.ports(settings).map((use) => use.port));
};

const userScaleEnv = scaleProfileEnv({});

describe('the test stacks run beside the developer’s', () => {
  it('share no port with the default or scaled stack or with each other', () => {
    const all = [
      ports({}),
      ports(userScaleEnv),
      ports(testStackEnv),
      ports(secureStackEnv),
      ports(scaleTestEnv),
    ];
    expect(all[1]).toHaveLength((all[0]?.length ?? 0) + 2 * 2 + 3 * 5 + 2); // nodes, Collectors, replicas
    const flat = all.flat();
    expect(new Set(flat).size).toBe(flat.length);
  });

  it('keep their state (and so their Elasticsearch data) in folders of their own', () => {
    const dirs = [
      stateDir,
      userScaleEnv.LANTERN_STATE_DIR,
      testStackEnv.LANTERN_STATE_DIR,
      secureStackEnv.LANTERN_STATE_DIR,
      scaleTestEnv.LANTERN_STATE_DIR,
    ];
    expect(new Set(dirs).size).toBe(5);
    expect(testStackEnv.LANTERN_STATE_DIR).toMatch(/test-stack$/);
    expect(userScaleEnv.LANTERN_STATE_DIR).toBe(join(repoRoot, '.lantern', 'scale'));
  });
});
