import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collector, collectorServer, tierConfigPaths } from '../../../tools/stack/collector.ts';
import { routesFile } from '../../../tools/stack/sampling-router.ts';
import { loadStackSettings } from '../../../tools/stack/settings.ts';

const configs = (args: readonly string[]): string[] =>
  args.flatMap((arg, i) => (args[i - 1] === '--config' ? [arg] : []));

describe('the Collector daemons', () => {
  it('merges a file of the user’s own last, after the shipped pipeline', () => {
    const spec = collector.daemon(loadStackSettings({ LANTERN_COLLECTOR_CONFIG: 'mine.yaml' }));
    expect(configs(spec.args).at(-1)).toBe(resolve('mine.yaml'));
    expect(configs(spec.args)).toHaveLength(2);
    expect(configs(collector.daemon(loadStackSettings({})).args)).toHaveLength(1);
  });

  it('gives each tier its overlay, and the gateways the live list of sampling Collectors', () => {
    const s = loadStackSettings({ LANTERN_SCALE: '1' });
    const gateway = collectorServer({ name: 'collector-gateway-1', offset: 0, tier: 'gateway' });
    const sampling = collectorServer({
      name: 'collector-sampling-1',
      offset: 20,
      tier: 'sampling',
    });
    expect(configs(gateway.daemon(s).args).slice(1)).toEqual([
      tierConfigPaths.gateway,
      routesFile(s.paths),
    ]);
    expect(configs(sampling.daemon(s).args).slice(1)).toEqual([tierConfigPaths.sampling]);
    expect(sampling.daemon(s).env?.LANTERN_OTLP_GRPC_ENDPOINT).toBe(
      `127.0.0.1:${String(s.LANTERN_OTLP_GRPC_PORT + 20)}`,
    );
  });

  it('runs the Go GC at GOGC=200 under a memory limit unless the environment says otherwise', () => {
    const env = collector.daemon(loadStackSettings({})).env ?? {};
    expect(env.GOGC).toBe(process.env.GOGC ?? '200');
    expect(env.GOMEMLIMIT).toBe(process.env.GOMEMLIMIT ?? '800MiB');
  });
});
