import { COLLECTOR_FEATURE_GATES } from '../../tools/stack/collector.ts';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../../tools/stack/paths.ts';
import { loadCompose, type Service } from '../support/compose-project.ts';
import { stackCli } from '../../tools/harness/stack-cli.ts';

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
    const always = Object.entries(project.services).filter(([, s]) => !s.profiles?.length);
    expect(always.map(([name]) => name).sort()).toEqual([
      'alertmanager',
      'alertmanager-config',
      'analysis',
      'collector',
      'demo-backend',
      'demo-frontend',
      'demo-traffic',
      'elasticsearch',
      'jaeger',
      'jaeger-storage',
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

  it('points the Collector at elasticsearch, and Jaeger at its storage, on the ports they listen on', () => {
    const env = service('collector').environment ?? {};
    const storageEnv = service('jaeger-storage').environment ?? {};
    expect(service('jaeger').environment?.JAEGER_STORAGE_ENDPOINT).toBe(
      `jaeger-storage:${portOf(storageEnv.LANTERN_JAEGER_STORAGE_ENDPOINT)}`,
    );
    expect(storageEnv.LANTERN_ES_URL).toBe('http://elasticsearch:9200');
    // Jaeger stores nothing: no volume of its own.
    expect(service('jaeger').volumes?.map((v) => v.target)).toEqual(['/etc/jaeger/config.yaml']);
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

  it("runs Alertmanager on the configuration rendered from Lantern's notifications file", () => {
    const render = service('alertmanager-config');
    expect(render.command?.slice(0, 2)).toEqual(['node', 'bin/alertmanager-config.ts']);
    expect(render.command).toContain('--lantern-url=http://analysis:8080');
    const out = render.command?.find((arg) => arg.startsWith('--out='))?.slice('--out='.length);
    const written = render.volumes?.find((v) => out?.startsWith(`${v.target}/`));
    const read = service('alertmanager').volumes?.find((v) => v.source === written?.source);
    expect(read).toBeDefined();
    const file = `${read?.target ?? ''}${out?.slice(written?.target.length) ?? ''}`;
    expect(service('alertmanager').command).toContain(`--config.file=${file}`);
  });
});

/** The secured variant: compose.yaml with compose.secure.yaml over it, and its variables. */
describe('compose.secure.yaml', () => {
  const secureComposePath = join(repoRoot, 'compose.secure.yaml');
  // What `npm run stack:credentials` writes to compose.env (values made up here).
  const variables = Object.fromEntries(
    [
      'LANTERN_ES_INGEST_PASSWORD',
      'LANTERN_ES_ANALYSIS_PASSWORD',
      'LANTERN_ES_SETUP_PASSWORD',
      'LANTERN_OTLP_TOKEN',
      'LANTERN_API_TOKEN',
      'LANTERN_ALERTMANAGER_PASSWORD',
      'LANTERN_JAEGER_PASSWORD',
      'LANTERN_JAEGER_STORAGE_TOKEN',
    ].map((name) => [name, `secret-of-${name}`]),
  );
  const secured = loadCompose([composePath, secureComposePath], variables);
  const secure = (name: string): Service => {
    const found = secured.services[name];
    if (!found) throw new Error(`the secured project has no service ${name}`);
    return found;
  };
  const envVariables = (file: string): string[] => [
    ...new Set(
      [...readFileSync(join(repoRoot, file), 'utf8').matchAll(/\$\{env:([A-Z_]+)\}/g)].map(
        (m) => m[1] ?? '',
      ),
    ),
  ];

  it('is valid over compose.yaml, with the same services', () => {
    expect(Object.keys(secured.services).sort()).toEqual(Object.keys(project.services).sort());
  });

  it('loads with exactly the compose.env that `npm run stack:credentials` writes', async () => {
    const state = mkdtempSync(join(tmpdir(), 'lantern-credentials-'));
    const output = await stackCli({ LANTERN_STATE_DIR: state }, ['credentials']);
    expect(output).toContain(join(state, 'secure'));
    const written = Object.fromEntries(
      readFileSync(join(state, 'secure', 'compose.env'), 'utf8')
        .split('\n')
        .filter((line) => /^[A-Z_]+=/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    const required = [...readFileSync(secureComposePath, 'utf8').matchAll(/\$\{([A-Z_]+):\?/g)].map(
      (m) => m[1],
    );
    expect(Object.keys(written).sort()).toEqual([...new Set(required)].sort());
    // No secret is printed, only where they are.
    for (const value of Object.values(written)) expect(output).not.toContain(value);
    const loaded = loadCompose([composePath, secureComposePath], {
      ...written,
      LANTERN_SECURE_DIR: join(state, 'secure'),
    });
    expect(loaded.services.analysis?.environment?.LANTERN_API_TOKEN).toBe(
      written.LANTERN_API_TOKEN,
    );
  });

  it('refuses to load without the secrets, naming the command that makes them', () => {
    expect(() => loadCompose([composePath, secureComposePath])).toThrow(/stack:credentials/);
  });

  it("gives every server the secured stack's folder, read-only", () => {
    for (const name of [
      'elasticsearch',
      'jaeger',
      'jaeger-storage',
      'collector',
      'prometheus',
      'alertmanager',
    ]) {
      const mount = secure(name).volumes?.find((v) => v.target === '/etc/lantern/secure');
      expect(mount?.source, name).toBe(join(repoRoot, '.lantern', 'secure'));
    }
  });

  it('merges the same secure configs over the same base configs as the local stack', () => {
    const collector = secure('collector');
    expect(collector.command).toEqual([
      '--config',
      '/etc/otelcol/config.yaml',
      '--config',
      '/etc/otelcol/secure.yaml',
      `--feature-gates=${COLLECTOR_FEATURE_GATES}`,
    ]);
    const collectorMount = collector.volumes?.find((v) => v.target === '/etc/otelcol/secure.yaml');
    expect(collectorMount?.source).toBe(join(repoRoot, 'otel-collector.secure.yaml'));
    const jaegerMount = secure('jaeger').volumes?.find(
      (v) => v.target === '/etc/jaeger/secure.yaml',
    );
    expect(jaegerMount?.source).toBe(join(repoRoot, 'config', 'jaeger.secure.yaml'));
    expect(secure('prometheus').command).toContain(
      '--web.config.file=/etc/lantern/secure/prometheus-web.yml',
    );
    expect(secure('alertmanager').command).toContain(
      '--web.config.file=/etc/lantern/secure/alertmanager-web.yml',
    );
  });

  it('sets every variable the secure Collector and Jaeger configs read', () => {
    const collectorEnv = secure('collector').environment ?? {};
    for (const variable of envVariables('otel-collector.secure.yaml')) {
      expect(collectorEnv, variable).toHaveProperty(variable);
    }
    const jaegerEnv = secure('jaeger').environment ?? {};
    const jaegerVariables = envVariables('config/jaeger.secure.yaml');
    expect(jaegerVariables.length).toBeGreaterThanOrEqual(4);
    for (const variable of jaegerVariables) expect(jaegerEnv, variable).toHaveProperty(variable);
  });

  it("gives Alertmanager's webhooks to the API the API's token, by a file it mounts", () => {
    const tokenFile = secure('alertmanager-config')
      .command?.find((arg) => arg.startsWith('--token-file='))
      ?.slice('--token-file='.length);
    // Where `npm run stack:credentials` writes LANTERN_API_TOKEN (tools/stack/credentials.ts).
    expect(tokenFile).toBe('/etc/lantern/secure/api.token');
    expect(secure('alertmanager').volumes?.map((v) => v.target)).toContain('/etc/lantern/secure');
  });

  it('sends everything over TLS, with credentials', () => {
    const analysis = secure('analysis').environment ?? {};
    expect(analysis.LANTERN_ES_URL).toBe('https://elasticsearch:9200');
    expect(analysis.LANTERN_ALERTMANAGER_URL).toBe(
      'https://lantern:secret-of-LANTERN_ALERTMANAGER_PASSWORD@alertmanager:9093',
    );
    expect(analysis.LANTERN_JAEGER_URL).toMatch(/^https:\/\/lantern:[^@]+@jaeger:16686$/);
    expect(analysis.LANTERN_API_TOKEN).toBe('secret-of-LANTERN_API_TOKEN');
    for (const name of ['demo-backend', 'demo-frontend']) {
      const env = secure(name).environment ?? {};
      expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('https://collector:4318');
      expect(env.OTEL_EXPORTER_OTLP_HEADERS).toBe(
        'Authorization=Bearer secret-of-LANTERN_OTLP_TOKEN',
      );
    }
    const prometheus = parse(
      readFileSync(join(repoRoot, 'config', 'prometheus.secure.yml'), 'utf8'),
    ) as { scrape_configs: { job_name: string; scheme?: string }[] };
    const plain = parse(readFileSync(join(repoRoot, 'config', 'prometheus.yml'), 'utf8')) as {
      scrape_configs: { job_name: string }[];
    };
    expect(prometheus.scrape_configs.map((job) => job.job_name)).toEqual(
      plain.scrape_configs.map((job) => job.job_name),
    );
    const exporter = prometheus.scrape_configs.find(
      (j) => j.job_name === 'otel-collector-exporter',
    );
    expect(exporter?.scheme).toBe('https');
  });
});
