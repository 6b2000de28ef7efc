import { COLLECTOR_FEATURE_GATES } from '../../tools/stack/collector.ts';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { goEnv, requireGo } from '../../tools/stack/go-build.ts';
import { repoRoot } from '../../tools/stack/paths.ts';

interface Service {
  command?: string[];
  environment?: Record<string, string>;
  ports?: { target: number; published: string; host_ip: string }[];
  volumes?: { source: string; target: string }[];
  profiles?: string[];
}
interface Project {
  services: Record<string, Service>;
}

/**
 * Loads a compose file with compose-go (Docker Compose's own loader and schema validation);
 * throws with its message when the file is invalid.
 */
function loadCompose(file: string): Project {
  const output = execFileSync(requireGo(), ['run', '.', file], {
    cwd: join(repoRoot, 'tools', 'compose-check'),
    env: { ...process.env, ...goEnv() },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(output) as Project;
}

const composePath = join(repoRoot, 'compose.yaml');
const project = loadCompose(composePath);
const service = (name: string): Service => {
  const found = project.services[name];
  if (!found) throw new Error(`compose.yaml has no service ${name}`);
  return found;
};
const portOf = (endpoint: string | undefined): number => Number(endpoint?.split(':').at(-1));

describe('compose.yaml', () => {
  it('is valid against the Compose specification', () => {
    expect(Object.keys(project.services).sort()).toEqual([
      'alertmanager',
      'analysis',
      'collector',
      'demo-backend',
      'demo-frontend',
      'demo-traffic',
      'elasticsearch',
      'jaeger',
      'lantern-setup',
      'prometheus',
    ]);
  });

  it('instruments the demo exactly as users do, sending to the collector service', () => {
    for (const name of ['demo-backend', 'demo-frontend']) {
      expect(service(name).command?.slice(0, 3)).toEqual(['node', '--import', 'lantern/register']);
      const env = service(name).environment ?? {};
      expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toBe(
        `http://collector:${portOf(service('collector').environment?.LANTERN_OTLP_HTTP_ENDPOINT)}`,
      );
    }
    expect(service('analysis').environment?.LANTERN_ES_URL).toBe('http://elasticsearch:9200');
  });

  it('is really validated: a misspelt key is rejected', () => {
    const broken = readFileSync(composePath, 'utf8').replace(
      '    image: prom/alertmanager',
      '    imagee: prom/alertmanager',
    );
    const dir = mkdtempSync(join(tmpdir(), 'lantern-compose-'));
    writeFileSync(join(dir, 'compose.yaml'), broken);
    expect(() => loadCompose(join(dir, 'compose.yaml'))).toThrow(/imagee/);
  });

  it('mounts the same otel-collector.yaml the local stack uses, with the same feature gates', () => {
    const collector = service('collector');
    const mount = collector.volumes?.find((v) => v.target === '/etc/otelcol/config.yaml');
    expect(mount?.source).toBe(join(repoRoot, 'otel-collector.yaml'));
    expect(collector.command).toEqual([
      '--config',
      '/etc/otelcol/config.yaml',
      `--feature-gates=${COLLECTOR_FEATURE_GATES}`,
    ]);
  });

  it('sets every endpoint variable otel-collector.yaml reads, and publishes those ports', () => {
    const collectorYaml = readFileSync(join(repoRoot, 'otel-collector.yaml'), 'utf8');
    const endpointVars = [
      ...collectorYaml.matchAll(/\$\{env:(LANTERN_[A-Z_]*(?:ENDPOINT|URL|PORT|HOST|DIR)):-/g),
    ].map((m) => m[1]);
    const env = service('collector').environment ?? {};
    for (const variable of endpointVars) expect(env, variable).toHaveProperty(variable as string);
    const published = (service('collector').ports ?? []).map((p) => p.target);
    expect(published).toEqual(
      expect.arrayContaining([
        portOf(env.LANTERN_OTLP_GRPC_ENDPOINT),
        portOf(env.LANTERN_OTLP_HTTP_ENDPOINT),
        portOf(env.LANTERN_COLLECTOR_HEALTH_ENDPOINT),
      ]),
    );
    for (const port of service('collector').ports ?? []) expect(port.host_ip).toBe('127.0.0.1');
  });

  it('points the Collector at the jaeger and elasticsearch services on the ports they listen on', () => {
    const env = service('collector').environment ?? {};
    const jaegerEnv = service('jaeger').environment ?? {};
    expect(env.LANTERN_JAEGER_OTLP_ENDPOINT).toBe(
      `jaeger:${portOf(jaegerEnv.JAEGER_OTLP_GRPC_ENDPOINT)}`,
    );
    expect(env.LANTERN_ES_URL).toBe('http://elasticsearch:9200');
    expect(service('elasticsearch').ports?.map((p) => p.target)).toContain(9200);
  });

  it("has Prometheus scrape the Collector's exporter and telemetry ports", () => {
    const env = service('collector').environment ?? {};
    const prometheus = parse(readFileSync(join(repoRoot, 'config', 'prometheus.yml'), 'utf8')) as {
      scrape_configs: { static_configs: { targets: string[] }[] }[];
    };
    const targets = prometheus.scrape_configs.flatMap((job) =>
      job.static_configs.flatMap((c) => c.targets),
    );
    expect(targets).toContain(`collector:${portOf(env.LANTERN_COLLECTOR_PROMETHEUS_ENDPOINT)}`);
    expect(targets).toContain(`collector:${env.LANTERN_COLLECTOR_METRICS_PORT}`);
  });
});
