import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { securedCredentials, type StackCredentials, WEB_USER, webLogin } from './credentials.ts';
import { debianExecutable } from './debian-package.ts';
import { StackError } from './errors.ts';
import { answers } from './ports.ts';
import type { StackServer } from './server.ts';
import type { StackSettings } from './settings.ts';
import { collectorInstances } from './topology.ts';
import { which } from './toolchain.ts';

const home = (s: StackSettings): string => join(s.paths.stateDir, 'prometheus');
const data = (s: StackSettings): string => join(home(s), 'data');

/**
 * Scrape targets of the local stack; compose.yaml uses config/prometheus.yml with service names.
 * In secured mode Prometheus signs in to what holds telemetry (itself, Alertmanager, the
 * Collector's metrics endpoint) over TLS trusting the local CA. The Collector's and Jaeger's
 * own counters are served plain: their telemetry SDK's Prometheus endpoint has no TLS.
 */
function renderConfig(s: StackSettings, credentials: StackCredentials | undefined): string {
  const target = (port: number) => [`127.0.0.1:${port}`];
  // Every Collector of the profile (one, or each of the scaled profile's tiers).
  const collectors = (port: number) =>
    collectorInstances(s).map((instance) => `127.0.0.1:${String(port + instance.offset)}`);
  const tls = credentials && { scheme: 'https', tls_config: { ca_file: credentials.caFile } };
  const login = (passwordFile: string) =>
    credentials && { ...tls, basic_auth: { username: WEB_USER, password_file: passwordFile } };
  return stringify({
    global: { scrape_interval: '5s', evaluation_interval: '5s' },
    alerting: {
      alertmanagers: [
        {
          static_configs: [{ targets: target(s.LANTERN_ALERTMANAGER_PORT) }],
          ...login(credentials?.alertmanagerPasswordFile ?? ''),
        },
      ],
    },
    scrape_configs: [
      // What services send as OTLP metrics, and span metrics, via the Collector's exporter.
      {
        job_name: 'otel-collector-exporter',
        honor_labels: true,
        static_configs: [{ targets: collectors(s.LANTERN_COLLECTOR_PROMETHEUS_PORT) }],
        ...(credentials && {
          ...tls,
          authorization: { type: 'Bearer', credentials_file: credentials.scrapeTokenFile },
        }),
      },
      // The Collector's own telemetry (otelcol_* accepted/refused/sent counters, queue sizes).
      {
        job_name: 'otel-collector',
        static_configs: [{ targets: collectors(s.LANTERN_COLLECTOR_METRICS_PORT) }],
      },
      { job_name: 'jaeger', static_configs: [{ targets: target(s.LANTERN_JAEGER_METRICS_PORT) }] },
      {
        job_name: 'prometheus',
        static_configs: [{ targets: target(s.LANTERN_PROMETHEUS_PORT) }],
        ...login(credentials?.prometheusPasswordFile ?? ''),
      },
    ],
  });
}

export const prometheus: StackServer = {
  name: 'prometheus',
  startTimeoutSeconds: 60,
  dataDirs: (s) => [data(s)],
  ports: (s) => [{ port: s.LANTERN_PROMETHEUS_PORT, variable: 'LANTERN_PROMETHEUS_PORT' }],
  async obtain() {
    await debianExecutable('prometheus', 'prometheus');
  },
  daemon(s) {
    const command = which('prometheus');
    if (!command)
      throw new StackError('`prometheus` not found on PATH (Debian package "prometheus")');
    mkdirSync(data(s), { recursive: true });
    const credentials = securedCredentials(s);
    const config = join(home(s), 'prometheus.yml');
    writeFileSync(config, renderConfig(s, credentials));
    return {
      name: 'prometheus',
      command,
      args: [
        `--config.file=${config}`,
        `--storage.tsdb.path=${data(s)}`,
        '--storage.tsdb.retention.time=2d',
        `--web.listen-address=127.0.0.1:${s.LANTERN_PROMETHEUS_PORT}`,
        // Secured mode: TLS with a certificate of the local CA, and basic auth.
        ...(credentials ? [`--web.config.file=${credentials.prometheusWebConfig}`] : []),
      ],
      signature: 'prometheus',
    };
  },
  healthy: (e, s) => answers(`${e.prometheus}/-/ready`, webLogin('prometheus', s)),
  describe: (e) =>
    `${e.prometheus}${e.prometheus.startsWith('https:') ? '  (TLS + basic auth)' : ''}`,
};
