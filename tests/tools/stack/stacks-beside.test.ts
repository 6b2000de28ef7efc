import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../../tools/stack/paths.ts';
import { scaleProfileEnv } from '../../../tools/stack/scale-profile.ts';
import { loadStackSettings } from '../../../tools/stack/settings.ts';
import { serversOf } from '../../../tools/stack/stack.ts';
import { scaleTestEnv } from '../../support/scale-stack.ts';
import { secureStackEnv } from '../../support/secure-stack.ts';
import { faultStackEnv, testStackEnv, userStateDir } from '../../support/test-stack.ts';

/** Every port a stack's servers listen on, each instance of the scaled profile included. */
const ports = (env: Readonly<Record<string, string>>): number[] => {
  const settings = loadStackSettings(env);
  return serversOf(settings).flatMap((server) => server.ports(settings).map((use) => use.port));
};

const userScaleEnv = scaleProfileEnv({});
/** What `stack:up -- --scale` reads when the scale tests' global set-up runs it. */
const scaleTestCliEnv = { ...scaleTestEnv, ...scaleProfileEnv(scaleTestEnv) };

describe('the test stacks run beside the developer’s', () => {
  it('share no port with the default or scaled stack or with each other', () => {
    const all = [
      ports({}),
      ports(userScaleEnv),
      ports(testStackEnv),
      ports(faultStackEnv),
      ports(secureStackEnv),
      ports(scaleTestCliEnv),
    ];
    expect(all[1]).toHaveLength((all[0]?.length ?? 0) + 2 * 2 + 3 * 5 + 2); // nodes, Collectors, replicas
    const flat = all.flat();
    expect(new Set(flat).size).toBe(flat.length);
  });

  it('keep their state (and so their Elasticsearch data) in folders of their own', () => {
    const dirs = [
      {},
      userScaleEnv,
      testStackEnv,
      faultStackEnv,
      secureStackEnv,
      scaleTestCliEnv,
    ].map((env) => loadStackSettings(env).paths.stateDir);
    expect(dirs).toEqual([
      join(repoRoot, '.lantern'),
      join(repoRoot, '.lantern', 'scale'),
      join(userStateDir, 'test-stack'),
      join(userStateDir, 'fault-stack'),
      join(userStateDir, 'secure-test-stack'),
      join(userStateDir, 'test-scale'),
    ]);
    expect(new Set(dirs).size).toBe(6);
  });

  it('run the scale tests on the scaled profile, every port 6000 above the default', () => {
    const scaled = loadStackSettings(scaleTestCliEnv);
    const defaults = loadStackSettings({});
    expect(scaled.LANTERN_SCALE).toBe(true);
    expect(scaled.LANTERN_ES_PORT).toBe(15_200);
    for (const [key, port] of Object.entries(defaults).filter(([k]) => k.endsWith('_PORT'))) {
      expect(scaled[key as keyof typeof scaled], key).toBe(Number(port) + 6_000);
    }
  });
});
