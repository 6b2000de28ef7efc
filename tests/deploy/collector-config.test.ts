import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadStackSettings } from '../../tools/stack/settings.ts';
import {
  COLLECTOR_FEATURE_GATES,
  collector,
  collectorBinary,
  collectorConfigPath,
  secureCollectorConfigPath,
} from '../../tools/stack/collector.ts';

interface Pipeline {
  receivers: string[];
  processors?: string[];
  exporters: string[];
}
interface Policy {
  name: string;
  type: string;
  [key: string]: unknown;
}
interface CollectorConfig {
  processors: Record<string, Record<string, unknown>>;
  exporters: Record<string, { sending_queue?: { storage?: string } }>;
  service: { extensions: string[]; pipelines: Record<string, Pipeline> };
}

const settings = loadStackSettings();
const config = parse(readFileSync(collectorConfigPath, 'utf8')) as CollectorConfig;

describe('otel-collector.yaml', () => {
  // Builds the Collector if the manifest changed since the running stack was started.
  beforeAll(() => collector.obtain(settings), 900_000);

  it('is accepted by our Collector build', () => {
    // Throws (failing the test) with the Collector's own message when the config is invalid.
    execFileSync(
      collectorBinary(settings.paths),
      ['validate', '--config', collectorConfigPath, `--feature-gates=${COLLECTOR_FEATURE_GATES}`],
      { stdio: 'pipe' },
    );
  });

  it('is accepted with the secured overlay merged over it', () => {
    execFileSync(
      collectorBinary(settings.paths),
      [
        'validate',
        '--config',
        collectorConfigPath,
        '--config',
        secureCollectorConfigPath,
        `--feature-gates=${COLLECTOR_FEATURE_GATES}`,
      ],
      {
        stdio: 'pipe',
        env: {
          ...process.env,
          LANTERN_OTLP_TOKEN_FILE: collectorConfigPath,
          LANTERN_OTLP_TLS_CERT_FILE: collectorConfigPath,
          LANTERN_OTLP_TLS_KEY_FILE: collectorConfigPath,
          LANTERN_ES_URL: 'https://127.0.0.1:9200',
          LANTERN_ES_USERNAME: 'user',
          LANTERN_ES_PASSWORD: 'password',
          LANTERN_ES_CA_FILE: collectorConfigPath,
          LANTERN_SCRAPE_TOKEN_FILE: collectorConfigPath,
        },
      },
    );
  });

  it('puts memory_limiter first in every pipeline', () => {
    for (const [name, pipeline] of Object.entries(config.service.pipelines)) {
      expect(pipeline.processors?.[0], name).toBe('memory_limiter');
    }
  });

  it('persists every network exporter queue with file_storage', () => {
    expect(config.service.extensions).toContain('file_storage');
    const queued = Object.entries(config.exporters).filter(([name]) => name !== 'prometheus');
    expect(queued.map(([name]) => name).sort()).toEqual([
      'elasticsearch/logs',
      'elasticsearch/spans',
    ]);
    for (const [name, exporter] of queued) {
      expect(exporter.sending_queue?.storage, name).toBe('file_storage');
    }
  });

  it('tail-samples traces: errors, failed requests, slow, already sampled, then a baseline', () => {
    const tail = config.processors.tail_sampling as { decision_wait: string; policies: Policy[] };
    expect(tail.policies.map((policy) => policy.name)).toEqual([
      'errors',
      'failed-requests',
      'slow',
      'sampled-by-lantern',
      'sampled-at-source',
      'baseline',
    ]);
    expect(JSON.stringify(tail.policies[3])).toContain('lantern.sampling.weight');
    expect(parseFloat(tail.decision_wait)).toBeLessThanOrEqual(5);
    // Weights are stamped right after the decision, from the policy that kept each trace.
    const processors = config.service.pipelines.traces?.processors ?? [];
    expect(processors.indexOf('transform/sampling_weight')).toBe(
      processors.indexOf('tail_sampling') + 1,
    );
  });

  it('routes traces and logs to Elasticsearch only (Jaeger reads spans there), metrics to Prometheus', () => {
    const { pipelines } = config.service;
    expect(pipelines.traces?.exporters).toEqual(['elasticsearch/spans']);
    expect(pipelines.logs?.exporters).toEqual(['elasticsearch/logs']);
    expect(pipelines.metrics?.exporters).toEqual(['prometheus']);
  });
});
