import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dailyIndex, dailyIndexName, indices } from '../../src/contracts/indices.ts';
import type { StorageDeletion } from '../../src/contracts/storage-deletion.ts';
import { fields } from '../../src/contracts/fields.ts';
import type { RunningApp } from '../../tools/harness/instrumented-app.ts';
import { stack } from '../../tools/harness/otlp.ts';
import { settledCount, storedCount } from '../../tools/harness/pipeline-counts.ts';
import { es } from '../../tools/harness/stores.ts';
import { generateLoad, type LoadCounts } from '../../tools/harness/telemetry-load.ts';
import { logFile } from '../../tools/stack/paths.ts';
import { loadStackSettings } from '../../tools/stack/settings.ts';
import { startAnalysis } from '../support/analysis-service.ts';
import { upTo } from '../support/polling.ts';
import { elasticsearchOnSmallDisk, type SmallDisk } from '../support/small-disk.ts';

/**
 * The disk guard on a real, small disk: Elasticsearch's data folder on a tmpfs, days of older
 * data in it, the analysis service holding a budget, and ingest fed until the budget is hit.
 */
const DISK_MB = 320;
const BUDGET_MB = 80;
const MB = 1024 ** 2;
const run = Date.now().toString(36);
const seedService = `disk-seed-${run}`;
const loadService = `disk-load-${run}`;
const today = new Date().toISOString().slice(0, 10);
const dayAgo = (days: number): string =>
  new Date(Date.parse(`${today}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);

let disk: SmallDisk | { missing: string } | undefined;
let analysis: RunningApp | undefined;
const small = (): SmallDisk | undefined => (disk && 'restore' in disk ? disk : undefined);

beforeAll(async () => {
  disk = await elasticsearchOnSmallDisk(DISK_MB);
}, 300_000);

afterAll(async () => {
  await analysis?.stop();
  await small()?.restore();
}, 300_000);

/** Lantern's indices' bytes on disk, every copy (what the budget counts). */
async function lanternBytes(): Promise<number> {
  const stats = await es.indices.stats({ index: 'lantern-*', metric: 'store' });
  return stats._all.total?.store?.size_in_bytes ?? 0;
}

/** Copies of the seed in each older day: with fresh ids, so they take a real day's bytes. */
const COPIES_PER_DAY = 6;

/** A new random id of `bytes` bytes, in the hex the exporter writes. */
const freshId = (bytes: number): string => randomBytes(bytes).toString('hex');

/**
 * Older days as the Collector would have written them: the seed service's records of today,
 * copied into each day's index with their times moved back to that day. Each copy gets fresh
 * trace and span ids (parents follow their spans): identical copies would compress to almost
 * nothing and never fill a budget as real days do.
 */
async function copyToDay(day: string): Promise<void> {
  for (const signal of ['logs', 'spans'] as const) {
    const found = await es.search<Record<string, unknown>>({
      index: dailyIndexName(signal, today),
      size: 10_000,
      query: { term: { [fields.serviceName]: seedService } },
    });
    const moved = (value: unknown): unknown =>
      typeof value === 'string' && value.startsWith(today) ? day + value.slice(10) : value;
    const docs = found.hits.hits.flatMap((hit) => (hit._source ? [hit._source] : []));
    for (let copy = 0; copy < COPIES_PER_DAY; copy += 1) {
      const traces = new Map<unknown, string>();
      const spans = new Map<unknown, string>();
      const renamed = (ids: Map<unknown, string>, id: unknown, bytes: number): unknown => {
        if (typeof id !== 'string' || id === '') return id;
        const fresh = ids.get(id) ?? freshId(bytes);
        ids.set(id, fresh);
        return fresh;
      };
      for (let start = 0; start < docs.length; start += 2000) {
        const result = await es.bulk({
          operations: docs.slice(start, start + 2000).flatMap((doc) => [
            { create: { _index: dailyIndexName(signal, day) } },
            {
              ...doc,
              '@timestamp': moved(doc['@timestamp']),
              EndTimestamp: moved(doc.EndTimestamp),
              [fields.traceId]: renamed(traces, doc[fields.traceId], 16),
              [fields.spanId]: renamed(spans, doc[fields.spanId], 8),
              ...(signal === 'spans'
                ? { [fields.span.parentSpanId]: renamed(spans, doc[fields.span.parentSpanId], 8) }
                : {}),
            },
          ]),
        });
        if (result.errors) throw new Error(`copying to ${day} failed`);
      }
    }
  }
  // Written to disk and merged, as the guard finds a finished day: the bytes it counts.
  const index = [dailyIndexName('logs', day), dailyIndexName('spans', day)];
  await es.indices.refresh({ index });
  await es.indices.forcemerge({ index, max_num_segments: 1 });
}

/** Every daily index, by name. */
async function dailyIndices(): Promise<string[]> {
  const found = await es.indices.resolveIndex({ name: 'lantern-*' });
  return found.indices.map((index) => index.name).filter((name) => dailyIndex(name));
}

async function deletions(): Promise<StorageDeletion[]> {
  const found = await es.search<StorageDeletion>({
    index: indices.storageDeletions.index,
    ignore_unavailable: true,
    size: 100,
    sort: [{ at: 'asc' }],
  });
  return found.hits.hits.flatMap((hit) => (hit._source ? [hit._source] : []));
}

/** Indices that ever carried the read-only block Elasticsearch sets at its flood stage. */
function watchReadOnly(): { readonly seen: Set<string>; stop(): void } {
  const seen = new Set<string>();
  const stopped = new AbortController();
  void (async () => {
    while (!stopped.signal.aborted) {
      const settings = await es.indices
        .getSettings({
          index: '*',
          name: 'index.blocks.read_only_allow_delete',
          flat_settings: true,
        })
        .catch(() => ({}));
      for (const [index, value] of Object.entries(settings))
        if (Object.keys((value as { settings?: object }).settings ?? {}).length > 0)
          seen.add(index);
      await sleep(1000);
    }
  })();
  return {
    seen,
    stop() {
      stopped.abort();
    },
  };
}

const startedAt = Date.now();
const progress = (what: string): void => {
  console.log(`[disk-full +${String(Math.round((Date.now() - startedAt) / 1000))} s] ${what}`);
};

const add = (a: LoadCounts, b: LoadCounts): LoadCounts => ({
  ...a,
  logsAccepted: a.logsAccepted + b.logsAccepted,
  spansAccepted: a.spansAccepted + b.spansAccepted,
  logsFailed: a.logsFailed + b.logsFailed,
  spansFailed: a.spansFailed + b.spansFailed,
});

describe('Elasticsearch on a small disk, Lantern holding a budget', () => {
  it('deletes the oldest days as ingest fills the budget, and loses nothing acknowledged', async (context) => {
    const ready = small();
    if (!ready) {
      context.skip(
        `cannot put Elasticsearch on a small disk: needs ${(disk as { missing: string }).missing}`,
      );
      return;
    }
    const esLog = logFile(loadStackSettings().paths, 'elasticsearch');
    const esLogFrom = statSync(esLog).size;
    const readOnly = watchReadOnly();

    // Today's seed, then older days made of it, until they take 70% of the budget.
    const seed = await generateLoad({
      otlpHttp: stack.otlpHttp,
      service: seedService,
      logsPerSecond: 1000,
      spansPerSecond: 1000,
      seconds: 10,
    });
    expect(await settledCount(es, 'logs', seedService, seed.logsAccepted)).toBe(seed.logsAccepted);
    expect(await settledCount(es, 'spans', seedService, seed.spansAccepted)).toBe(
      seed.spansAccepted,
    );
    const olderDays: string[] = [];
    while (olderDays.length < 3 || (await lanternBytes()) < 0.7 * BUDGET_MB * MB) {
      const day = dayAgo(olderDays.length + 2);
      await copyToDay(day);
      olderDays.push(day);
      if (olderDays.length > 20) throw new Error('older days never reached the budget');
    }
    const bytesBefore = await lanternBytes();
    progress(`${String(olderDays.length)} older days, ${(bytesBefore / MB).toFixed(0)} MB`);

    analysis = await startAnalysis({
      LANTERN_ES_URL: stack.elasticsearch,
      LANTERN_ALERTMANAGER_URL: stack.alertmanager,
      LANTERN_STORAGE_BUDGET: `${String(BUDGET_MB)}mb`,
      // Longer than the oldest day made above: the guard, not retention, deletes here.
      LANTERN_RETENTION_LOGS: '30d',
      LANTERN_RETENTION_SPANS: '30d',
      LANTERN_STORAGE_INTERVAL: '2s',
    });

    // Fed, 10 s at a time, until the guard has deleted two days for the budget.
    let sent: LoadCounts | undefined;
    const started = Date.now();
    const guarded = async () => (await deletions()).filter((d) => d.reason === 'budget');
    while ((await guarded()).length < 4 && Date.now() - started < 300_000) {
      const chunk = await generateLoad({
        otlpHttp: stack.otlpHttp,
        service: loadService,
        logsPerSecond: 1500,
        spansPerSecond: 1500,
        seconds: 10,
      });
      sent = sent ? add(sent, chunk) : chunk;
      progress(
        `fed ${String(sent.logsAccepted)} logs; Lantern ${((await lanternBytes()) / MB).toFixed(0)} MB`,
      );
    }
    if (!sent) throw new Error('nothing was sent');
    const storedLogs = await settledCount(es, 'logs', loadService, sent.logsAccepted);
    const storedSpans = await settledCount(es, 'spans', loadService, sent.spansAccepted);
    readOnly.stop();
    const byGuard = await guarded();
    const deletedDays = [...new Set(byGuard.map((d) => d.day))].sort();
    const keptDays = olderDays.filter((day) => !deletedDays.includes(day));
    console.log(
      `[disk-full] tmpfs ${String(DISK_MB)} MB, budget ${String(BUDGET_MB)} MB; older days ${String(olderDays.length)} (${(bytesBefore / MB).toFixed(0)} MB with today's seed); ` +
        `sent logs ${String(sent.logsAccepted + sent.logsFailed)} spans ${String(sent.spansAccepted + sent.spansFailed)}; ` +
        `acked logs ${String(sent.logsAccepted)} spans ${String(sent.spansAccepted)}; stored logs ${String(storedLogs)} spans ${String(storedSpans)}; ` +
        `days deleted for the budget ${String(deletedDays.length)} (${deletedDays.join(', ')}); Lantern now ${((await lanternBytes()) / MB).toFixed(0)} MB`,
    );

    // Ingest never stopped, and nothing acknowledged is missing.
    expect(sent.logsFailed + sent.spansFailed).toBe(0);
    expect(storedLogs).toBeGreaterThanOrEqual(sent.logsAccepted);
    expect(storedSpans).toBeGreaterThanOrEqual(sent.spansAccepted);
    // Old days went, oldest first, whole (logs and spans), and never today.
    expect(deletedDays.length).toBeGreaterThanOrEqual(2);
    expect(deletedDays).not.toContain(today);
    for (const deleted of deletedDays)
      for (const kept of keptDays) expect(deleted < kept).toBe(true);
    const left = await dailyIndices();
    for (const day of deletedDays) {
      expect(left).not.toContain(dailyIndexName('logs', day));
      expect(left).not.toContain(dailyIndexName('spans', day));
    }
    // Today's seed is whole.
    expect(await storedCount(es, 'logs', seedService)).toBe(
      seed.logsAccepted * (1 + COPIES_PER_DAY * keptDays.length),
    );
    // Elasticsearch never turned anything read-only, nor passed a watermark.
    expect([...readOnly.seen]).toEqual([]);
    expect(readFileSync(esLog, 'utf8').slice(esLogFrom)).not.toMatch(
      /disk watermark \[[^\]]+\] exceeded/,
    );
    // Lantern told people: its own alert, through the engine, to Alertmanager.
    await expect
      .poll(async () => {
        const response = await fetch(
          `${stack.alertmanager}/api/v2/alerts?filter=${encodeURIComponent('alertname="storage-guard"')}`,
        );
        const alerts = (await response.json()) as { annotations: Record<string, string> }[];
        return alerts[0]?.annotations.summary ?? '';
      }, upTo(60_000))
      .toMatch(new RegExp(`${dailyIndexName('logs', deletedDays[0] ?? 'none')}.*budget`));
  }, 900_000);
});
