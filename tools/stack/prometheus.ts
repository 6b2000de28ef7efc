import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { debianExecutable } from './debian-package.ts';
import { StackError } from './errors.ts';
import { stateDir } from './paths.ts';
import { answers } from './ports.ts';
import type { StackServer } from './server.ts';
import type { StackSettings } from './settings.ts';
import { which } from './toolchain.ts';

const home = join(stateDir, 'prometheus');
const data = join(home, 'data');

/** Scrape targets of the local stack; compose.yaml uses config/prometheus.yml with service names. */
function renderConfig(s: StackSettings): string {
  const target = (port: number) => [`127.0.0.1:${port}`];
  return stringify({
    global: { scrape_interval: '5s', evaluation_interval: '5s' },
    alerting: {
      alertmanagers: [{ static_configs: [{ targets: target(s.LANTERN_ALERTMANAGER_PORT) }] }],
    },
    scrape_configs: [
      // What services send as OTLP metrics, and span metrics, via the Collector's exporter.
      {
        job_name: 'otel-collector-exporter',
        honor_labels: true,
        static_configs: [{ targets: target(s.LANTERN_COLLECTOR_PROMETHEUS_PORT) }],
      },
      // The Collector's own telemetry (otelcol_* accepted/refused/sent counters, queue sizes).
      {
        job_name: 'otel-collector',
        static_configs: [{ targets: target(s.LANTERN_COLLECTOR_METRICS_PORT) }],
      },
      { job_name: 'jaeger', static_configs: [{ targets: target(s.LANTERN_JAEGER_METRICS_PORT) }] },
      { job_name: 'prometheus', static_configs: [{ targets: target(s.LANTERN_PROMETHEUS_PORT) }] },
    ],
  });
}

export const prometheus: StackServer = {
  name: 'prometheus',
  startTimeoutSeconds: 60,
  dataDirs: [data],
  ports: (s) => [{ port: s.LANTERN_PROMETHEUS_PORT, variable: 'LANTERN_PROMETHEUS_PORT' }],
  async obtain() {
    await debianExecutable('prometheus', 'prometheus');
  },
  daemon(s) {
    const command = which('prometheus');
    if (!command)
      throw new StackError('`prometheus` not found on PATH (Debian package "prometheus")');
    mkdirSync(data, { recursive: true });
    const config = join(home, 'prometheus.yml');
    writeFileSync(config, renderConfig(s));
    return {
      name: 'prometheus',
      command,
      args: [
        `--config.file=${config}`,
        `--storage.tsdb.path=${data}`,
        '--storage.tsdb.retention.time=2d',
        `--web.listen-address=127.0.0.1:${s.LANTERN_PROMETHEUS_PORT}`,
      ],
      signature: 'prometheus',
    };
  },
  healthy: (e) => answers(`${e.prometheus}/-/ready`),
  describe: (e) => e.prometheus,
};
