/**
 * Bytes on disk per stored record, with the index templates as they were before the storage
 * review (control: bench/fixtures/templates-v3.json, the default codec) and as they are now.
 * Records of two kinds go through the real pipeline into the stack's daily indices: the demo's
 * (frontend → backend under the bootstrap, DEMO_RATE requests/s) and the ingest benchmark's
 * generated ones. Each set is then copied (_reindex) into two scratch indices, one per template,
 * force-merged to one segment as a finished day is, and measured (_stats, _disk_usage). From the
 * demo's record mix it derives GB per day at a reference load.
 *   npm run bench -- storage        (BENCH_STORAGE_DEMO_SECONDS=600 for more demo records)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { estypes } from '@elastic/elasticsearch';
import { fields, SERVER_KIND } from '../src/contracts/fields.ts';
import { indices } from '../src/contracts/indices.ts';
import { createElasticsearchClient, type Client } from '../src/storage/client.ts';
import { indexTemplates } from '../src/storage/templates.ts';
import { startApp, type RunningApp } from '../tools/harness/instrumented-app.ts';
import { storedCount } from '../tools/harness/pipeline-counts.ts';
import { generateLoad } from '../tools/harness/telemetry-load.ts';
import type { StackSettings } from '../tools/stack/settings.ts';
import { stackUp } from '../tools/stack/stack.ts';

const DEMO_SECONDS = Number(process.env.BENCH_STORAGE_DEMO_SECONDS ?? 240);
const DEMO_RATE = 20;
const INGEST_RATE = 2000;
const INGEST_SECONDS = 20;
/** The reference load: services, each serving this many requests a second. */
const REFERENCE = { services: 10, requestsPerSecond: 100 };
/** The bootstrap's default LANTERN_SAMPLER_TARGET_TPS: kept non-error traces/s per service. */
const DEFAULT_TARGET_TPS = 10;
/** The demo's default error rate (demo/faults.mjs): every failed request's trace is kept. */
const DEMO_ERROR_RATE = 0.005;

type Signal = 'logs' | 'spans';
interface ScratchTemplate {
  readonly settings: estypes.IndicesIndexSettings;
  readonly mappings: estypes.MappingTypeMapping;
}

const control = JSON.parse(
  readFileSync(join(import.meta.dirname, 'fixtures', 'templates-v3.json'), 'utf8'),
) as Record<Signal, ScratchTemplate>;
const current: Record<Signal, ScratchTemplate> = {
  logs: indexTemplates[indices.logs.template].template as ScratchTemplate,
  spans: indexTemplates[indices.spans.template].template as ScratchTemplate,
};

/** Polls the stored count of each service until it has not moved for 15 s. */
async function settled(es: Client, signal: Signal, services: readonly string[]): Promise<number> {
  let last = -1;
  let stableSince = Date.now();
  for (;;) {
    const counts = await Promise.all(services.map((s) => storedCount(es, signal, s)));
    const total = counts.reduce((sum, n) => sum + n, 0);
    if (total !== last) {
      last = total;
      stableSince = Date.now();
    } else if (Date.now() - stableSince >= 15_000) return total;
    await sleep(2000);
  }
}

/** Open-loop demo traffic (GET /checkout/<sku>, as demo/traffic.mjs sends); resolves with how many. */
async function demoTraffic(frontend: string, seconds: number): Promise<number> {
  const started = performance.now();
  let sent = 0;
  const pending: Promise<void>[] = [];
  while (performance.now() - started < seconds * 1000) {
    const due = Math.floor(((performance.now() - started) / 1000) * DEMO_RATE);
    for (; sent < due; sent += 1) {
      const sku = `sku-${String(Math.floor(Math.random() * 500))}`;
      pending.push(
        fetch(`${frontend}/checkout/${sku}`).then(
          (r) => r.arrayBuffer().then(() => undefined),
          () => undefined,
        ),
      );
    }
    await sleep(20);
  }
  await Promise.all(pending);
  return sent;
}

interface Measured {
  readonly documents: number;
  readonly bytes: number;
  /** Bytes per field (and _id, _source…) from _disk_usage, largest first. */
  readonly fields: [string, number][];
}

/** Copies the records of `services` into a scratch index with `template`, merges, measures. */
async function copyAndMeasure(
  es: Client,
  signal: Signal,
  services: readonly string[],
  name: string,
  template: ScratchTemplate,
): Promise<Measured> {
  await es.indices.create({
    index: name,
    settings: { ...template.settings, number_of_replicas: 0, refresh_interval: '-1' },
    mappings: template.mappings,
  });
  try {
    // The local Elasticsearch has no reindex module: scroll and bulk, as _reindex would.
    const records = es.helpers.scrollDocuments<Record<string, unknown>>({
      index: indices[signal].pattern,
      query: { terms: { [fields.serviceName]: [...services] } },
      size: 5000,
    });
    const result = await es.helpers.bulk({
      datasource: records[Symbol.asyncIterator](),
      onDocument: () => ({ create: { _index: name } }),
      flushBytes: 5_000_000,
      refreshOnCompletion: name,
    });
    if (result.failed > 0)
      throw new Error(`${String(result.failed)} records not copied to ${name}`);
    // One segment, as a finished day is merged; flushed, so the store holds only that segment.
    await es.indices.forcemerge({ index: name, max_num_segments: 1 });
    await es.indices.flush({ index: name });
    const stats = await es.indices.stats({ index: name, metric: ['docs', 'store'] });
    const primaries = stats.indices?.[name]?.primaries;
    type DiskUsage = Record<string, { fields?: Record<string, { total_in_bytes: number }> }>;
    const usage = (await es.indices.diskUsage({
      index: name,
      run_expensive_tasks: true,
    })) as DiskUsage;
    const perField = Object.entries(usage[name]?.fields ?? {})
      .map(([field, figures]): [string, number] => [field, figures.total_in_bytes])
      .sort((a, b) => b[1] - a[1]);
    return {
      documents: primaries?.docs?.count ?? 0,
      bytes: primaries?.store?.size_in_bytes ?? 0,
      fields: perField,
    };
  } finally {
    await es.indices.delete({ index: name, ignore_unavailable: true });
  }
}

const perRecord = (m: Measured): number => m.bytes / Math.max(1, m.documents);
const topFields = (m: Measured): string =>
  m.fields
    .slice(0, 5)
    .map(([field, bytes]) => `${field} ${(bytes / Math.max(1, m.documents)).toFixed(0)}`)
    .join(', ');

/** The demo under the bootstrap, as `npm start` runs it, for DEMO_SECONDS. */
async function demoRecords(otlpHttp: string, run: string) {
  const apps: RunningApp[] = [];
  const env = { OTEL_EXPORTER_OTLP_ENDPOINT: otlpHttp };
  try {
    const backend = await startApp({
      loader: '--import',
      script: 'demo/backend.mjs',
      service: `storage-${run}-backend`,
      env,
    });
    apps.push(backend);
    const frontend = await startApp({
      loader: '--import',
      script: 'demo/frontend.mjs',
      service: `storage-${run}-frontend`,
      env: { ...env, BACKEND_URL: backend.url },
    });
    apps.push(frontend);
    const requests = await demoTraffic(frontend.url, DEMO_SECONDS);
    return { services: [`storage-${run}-backend`, `storage-${run}-frontend`], requests };
  } finally {
    // SIGTERM: the bootstrap flushes what it holds.
    await Promise.all(apps.map((app) => app.stop()));
  }
}

/** Kept traces: one server span each per service (the demo's root and the backend's hop). */
async function serverSpans(es: Client, services: readonly string[]): Promise<number> {
  const { count } = await es.count({
    index: indices.spans.pattern,
    query: {
      bool: {
        filter: [
          { terms: { [fields.serviceName]: [...services] } },
          { term: { [fields.span.kind]: SERVER_KIND } },
        ],
      },
    },
  });
  return count;
}

export async function storage(settings: StackSettings): Promise<string> {
  const e = await stackUp(settings);
  const es = createElasticsearchClient({ url: e.elasticsearch, requestTimeoutMs: 600_000 });
  const run = Date.now().toString(36);
  try {
    const demo = await demoRecords(e.otlpHttp, run);
    const ingestService = `storage-${run}-ingest`;
    await generateLoad({
      otlpHttp: e.otlpHttp,
      service: ingestService,
      logsPerSecond: INGEST_RATE,
      spansPerSecond: INGEST_RATE,
      seconds: INGEST_SECONDS,
      encoding: 'json',
    });
    const sets = { demo: demo.services, ingest: [ingestService] } as const;
    const rows: string[] = [];
    const perRecordOf: Record<string, number> = {};
    for (const [source, services] of Object.entries(sets)) {
      for (const signal of ['logs', 'spans'] as const) {
        await settled(es, signal, services);
        const base = `bench-storage-${run}-${source}-${signal}`;
        const before = await copyAndMeasure(
          es,
          signal,
          services,
          `${base}-control`,
          control[signal],
        );
        const after = await copyAndMeasure(es, signal, services, `${base}-now`, current[signal]);
        perRecordOf[`${source}-${signal}`] = perRecord(after);
        rows.push(
          `| ${source} | ${signal} | ${String(after.documents)} | ${perRecord(before).toFixed(0)} | ${perRecord(after).toFixed(0)} | ${(perRecord(after) / perRecord(before)).toFixed(2)} | ${topFields(after)} |`,
        );
      }
    }
    // The demo's mix: log records per request per service, spans per kept trace per service.
    const demoLogs = await storedCount(es, 'logs', demo.services[0] ?? '').then(
      async (n) => n + (await storedCount(es, 'logs', demo.services[1] ?? '')),
    );
    const demoSpans = await Promise.all(demo.services.map((s) => storedCount(es, 'spans', s)));
    const keptTraceHops = await serverSpans(es, demo.services);
    const logsPerRequest = demoLogs / (demo.requests * demo.services.length);
    const spansPerTraceHop = demoSpans.reduce((a, b) => a + b, 0) / Math.max(1, keptTraceHops);
    /** Bytes a day of `services` × `rps` requests/s take, days merged, at the demo's mix. */
    const bytesPerDay = (services: number, rps: number): number => {
      const keptPerSecond = Math.min(rps, DEFAULT_TARGET_TPS + DEMO_ERROR_RATE * rps);
      return (
        services *
        86_400 *
        (rps * logsPerRequest * (perRecordOf['demo-logs'] ?? 0) +
          keptPerSecond * spansPerTraceHop * (perRecordOf['demo-spans'] ?? 0))
      );
    };
    const gb = (bytes: number): string => `${(bytes / 1e9).toFixed(2)} GB`;
    const { services, requestsPerSecond } = REFERENCE;
    return [
      `### Bytes on disk per record (each set copied into one index per template, force-merged to one segment; demo ${String(DEMO_SECONDS)} s at ${String(DEMO_RATE)} requests/s, ingest ${String(INGEST_SECONDS)} s at ${String(INGEST_RATE)}/s)`,
      '',
      '| records | signal | documents | control: template v3, default codec (B/record) | now (B/record) | now ÷ control | largest parts now (B/record) |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      ...rows,
      '',
      `Reference load: ${String(services)} services × ${String(requestsPerSecond)} requests/s each, ` +
        `bootstrap defaults (${String(DEFAULT_TARGET_TPS)} kept traces/s per service plus every failed ` +
        `request, ${String(DEMO_ERROR_RATE * 100)}% as in the demo), the demo's record mix ` +
        `(${logsPerRequest.toFixed(2)} log records per request per service, ` +
        `${spansPerTraceHop.toFixed(2)} spans per kept trace per service): ` +
        `**${gb(bytesPerDay(services, requestsPerSecond))} per day** with days merged. ` +
        `The demo (2 services × ${String(DEMO_RATE)} requests/s): ${gb(bytesPerDay(2, DEMO_RATE))} per day.`,
    ].join('\n');
  } finally {
    await es.close();
  }
}
