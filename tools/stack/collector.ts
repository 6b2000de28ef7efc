import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { basicAuthorization, credentialsIn, ES_USERS, JAEGER_OTLP_USER } from './credentials.ts';
import { cacheDir, repoRoot, stateDir } from './paths.ts';
import { answers } from './ports.ts';
import { step } from './progress.ts';
import type { StackServer } from './server.ts';
import { endpoints } from './settings.ts';
import { goEnv, requireGo } from './go-build.ts';
import { run } from './toolchain.ts';

/** The OpenTelemetry Collector Builder release matching every component in the manifest. */
export const BUILDER_VERSION = 'v0.152.0';
const manifestPath = join(repoRoot, 'collector', 'manifest.yaml');
/**
 * recordpolicy: tail_sampling names the policy that kept each trace, which the span weights are
 * derived from (otel-collector.yaml, transform/sampling_weight). compose.yaml passes the same.
 */
export const COLLECTOR_FEATURE_GATES = 'processor.tailsamplingprocessor.recordpolicy';

/** The exporters' persistent queues: what was accepted and not yet stored. */
const fileStorage = join(stateDir, 'collector', 'file_storage');

export const collectorConfigPath = join(repoRoot, 'otel-collector.yaml');
/** Merged over collectorConfigPath in secured mode. */
export const secureCollectorConfigPath = join(repoRoot, 'otel-collector.secure.yaml');

/** The binary is cached by the manifest's hash: editing the manifest triggers a rebuild. */
export function collectorBinary(): string {
  const hash = createHash('sha256').update(readFileSync(manifestPath)).digest('hex').slice(0, 12);
  return join(cacheDir, `collector-${hash}`, 'lantern-otelcol');
}

async function build(binary: string): Promise<void> {
  const go = requireGo();
  const env = goEnv();
  const tools = join(cacheDir, 'tools', `ocb-${BUILDER_VERSION}`);
  const builder = join(tools, 'builder');
  if (!existsSync(builder)) {
    step('collector', `installing the Collector Builder ${BUILDER_VERSION}`);
    await run(
      'collector',
      go,
      ['install', `go.opentelemetry.io/collector/cmd/builder@${BUILDER_VERSION}`],
      {
        env: { ...env, GOBIN: tools },
      },
    );
  }
  const work = `${binary}.building`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  copyFileSync(manifestPath, join(work, 'manifest.yaml'));
  step('collector', 'building the Collector from collector/manifest.yaml (several minutes, once)');
  await run('collector', builder, ['--config', 'manifest.yaml'], { cwd: work, env });
  mkdirSync(join(binary, '..'), { recursive: true });
  renameSync(join(work, 'build', 'lantern-otelcol'), binary);
  rmSync(work, { recursive: true, force: true });
}

export const collector: StackServer = {
  name: 'collector',
  startTimeoutSeconds: 60,
  dataDirs: [fileStorage],
  ports: (s) => [
    { port: s.LANTERN_OTLP_GRPC_PORT, variable: 'LANTERN_OTLP_GRPC_PORT' },
    { port: s.LANTERN_OTLP_HTTP_PORT, variable: 'LANTERN_OTLP_HTTP_PORT' },
    { port: s.LANTERN_COLLECTOR_HEALTH_PORT, variable: 'LANTERN_COLLECTOR_HEALTH_PORT' },
    { port: s.LANTERN_COLLECTOR_PROMETHEUS_PORT, variable: 'LANTERN_COLLECTOR_PROMETHEUS_PORT' },
    { port: s.LANTERN_COLLECTOR_METRICS_PORT, variable: 'LANTERN_COLLECTOR_METRICS_PORT' },
  ],
  async obtain() {
    const binary = collectorBinary();
    if (!existsSync(binary)) await build(binary);
  },
  daemon(s) {
    const credentials = s.LANTERN_SECURE ? credentialsIn() : undefined;
    mkdirSync(fileStorage, { recursive: true });
    const loopback = '127.0.0.1';
    return {
      name: 'collector',
      command: collectorBinary(),
      args: [
        '--config',
        collectorConfigPath,
        ...(credentials ? ['--config', secureCollectorConfigPath] : []),
        `--feature-gates=${COLLECTOR_FEATURE_GATES}`,
      ],
      env: {
        LANTERN_OTLP_GRPC_ENDPOINT: `${loopback}:${s.LANTERN_OTLP_GRPC_PORT}`,
        LANTERN_OTLP_HTTP_ENDPOINT: `${loopback}:${s.LANTERN_OTLP_HTTP_PORT}`,
        LANTERN_COLLECTOR_HEALTH_ENDPOINT: `${loopback}:${s.LANTERN_COLLECTOR_HEALTH_PORT}`,
        LANTERN_COLLECTOR_PROMETHEUS_ENDPOINT: `${loopback}:${s.LANTERN_COLLECTOR_PROMETHEUS_PORT}`,
        LANTERN_COLLECTOR_METRICS_HOST: loopback,
        LANTERN_COLLECTOR_METRICS_PORT: String(s.LANTERN_COLLECTOR_METRICS_PORT),
        LANTERN_COLLECTOR_STORAGE_DIR: fileStorage,
        LANTERN_JAEGER_OTLP_ENDPOINT: `${loopback}:${s.LANTERN_JAEGER_OTLP_GRPC_PORT}`,
        LANTERN_ES_URL: endpoints(s).elasticsearch,
        ...(credentials && {
          LANTERN_OTLP_TOKEN_FILE: credentials.otlpTokenFile,
          LANTERN_OTLP_TLS_CERT_FILE: credentials.certificates.collector.certFile,
          LANTERN_OTLP_TLS_KEY_FILE: credentials.certificates.collector.keyFile,
          LANTERN_SCRAPE_TOKEN_FILE: credentials.scrapeTokenFile,
          LANTERN_JAEGER_CA_FILE: credentials.caFile,
          LANTERN_JAEGER_OTLP_AUTHORIZATION: basicAuthorization(
            JAEGER_OTLP_USER,
            credentials.jaegerOtlpPassword,
          ),
          LANTERN_ES_CA_FILE: credentials.caFile,
          LANTERN_ES_USERNAME: ES_USERS.ingest.username,
          LANTERN_ES_PASSWORD: credentials.ingestPassword,
        }),
      },
      signature: 'lantern-otelcol',
    };
  },
  healthy: (e) => answers(e.collectorHealth),
  describe: (e) => `OTLP ${e.otlpHttp} (HTTP), ${e.otlpGrpc} (gRPC); health ${e.collectorHealth}`,
};
