import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dailyIndexName, indices } from '../../src/contracts/indices.ts';
import { storage } from '../../src/contracts/api/storage.ts';
import type { StorageDeletion } from '../../src/contracts/storage-deletion.ts';
import { stack } from '../../tools/harness/otlp.ts';
import { es } from '../../tools/harness/stores.ts';
import type { RunningApp } from '../../tools/harness/instrumented-app.ts';
import { startAnalysis } from '../support/analysis-service.ts';
import { upTo } from '../support/polling.ts';

/**
 * Retention on the real Elasticsearch, done by the analysis service as users run it: daily
 * indices past their signal's retention go, by exact name; everything else stays; a refused
 * deletion is recorded and retried; finished days are merged into one segment; alert history
 * past its retention goes.
 */
const DAY_MS = 86_400_000;
const dayAgo = (days: number): string =>
  new Date(Date.now() - days * DAY_MS).toISOString().slice(0, 10);
const run = Date.now().toString(36);

const oldLogs = dailyIndexName('logs', dayAgo(30));
const midLogs = dailyIndexName('logs', dayAgo(10));
const oldSpans = dailyIndexName('spans', dayAgo(30));
const midSpans = dailyIndexName('spans', dayAgo(10));
const recentLogs = dailyIndexName('logs', dayAgo(3));
const blocked = dailyIndexName('logs', dayAgo(40));
const tomorrow = dailyIndexName('logs', dayAgo(-1));
/** Made past retention once the first refusal is recorded: its deletion proves a later round. */
const later = dailyIndexName('spans', dayAgo(50));
/** Under Lantern's pattern but not of the daily shape: a test's scratch index, never Lantern's to delete. */
const scratch = `${indices.logs.prefix}-seed-retention-${run}`;
const created = [oldLogs, midLogs, oldSpans, midSpans, recentLogs, blocked, tomorrow, scratch];
const made = [...created, later];

const exists = (index: string): Promise<boolean> => es.indices.exists({ index });
const segments = async (index: string): Promise<number> => {
  const stats = await es.indices.segments({ index });
  return Object.values(stats.indices[index]?.shards ?? {})
    .flat()
    .filter((shard) => shard.routing.primary)
    .reduce(
      (max, shard) => Math.max(max, shard.num_committed_segments, shard.num_search_segments),
      0,
    );
};
const runStarted = new Date().toISOString();
/** This run's records of one index (an earlier run's of the same day's name are not its). */
const recorded = async (index: string): Promise<StorageDeletion[]> => {
  await es.indices.refresh({ index: indices.storageDeletions.index, ignore_unavailable: true });
  const found = await es.search<StorageDeletion>({
    index: indices.storageDeletions.index,
    ignore_unavailable: true,
    size: 100,
    query: { bool: { filter: [{ term: { index } }, { range: { at: { gte: runStarted } } }] } },
    sort: [{ at: 'asc' }],
  });
  return found.hits.hits.flatMap((hit) => (hit._source ? [hit._source] : []));
};

async function seed(index: string, batches = 1): Promise<void> {
  for (let batch = 0; batch < batches; batch += 1) {
    // One refresh per batch: each makes a segment, so the day has several to merge.
    await es.bulk({
      refresh: true,
      operations: Array.from({ length: 20 }, (_, i) => [
        { create: { _index: index } },
        { '@timestamp': new Date().toISOString(), Body: `record ${String(batch)}.${String(i)}` },
      ]).flat(),
    });
  }
}

const oldTransition = `retention-${run}-old`;
const newTransition = `retention-${run}-new`;
/** Incidents by age and status, and timeline entries by age: what alert retention keeps. */
const incidentIds = {
  oldResolved: `retention-${run}-old-resolved`,
  newResolved: `retention-${run}-new-resolved`,
  oldOpen: `retention-${run}-old-open`,
};
const oldEntry = `retention-${run}-old-entry`;
const newEntry = `retention-${run}-new-entry`;
const oldMarker = `retention-${run}-old-deploy`;
const newMarker = `retention-${run}-new-deploy`;
let analysis: RunningApp | undefined;

beforeAll(async () => {
  await es.indices.delete({ index: made, ignore_unavailable: true });
  for (const index of created) await seed(index, index === recentLogs ? 3 : 1);
  await es.indices.putSettings({ index: blocked, settings: { 'index.blocks.read_only': true } });
  const transition = (id: string, daysAgo: number) => ({
    id,
    rule: 'retention-test',
    service: null,
    from: 'pending',
    to: 'firing',
    at: new Date(Date.now() - daysAgo * DAY_MS).toISOString(),
    value: 1,
  });
  await es.bulk({
    refresh: true,
    operations: [
      { index: { _index: indices.alertHistory.index, _id: oldTransition } },
      transition(oldTransition, 100),
      { index: { _index: indices.alertHistory.index, _id: newTransition } },
      transition(newTransition, 5),
    ],
  });
  const ago = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString();
  const incident = (id: string, startedDaysAgo: number, resolvedDaysAgo: number | null) => ({
    id,
    status: resolvedDaysAgo === null ? 'open' : 'resolved',
    startedAt: ago(startedDaysAgo),
    resolvedAt: resolvedDaysAgo === null ? null : ago(resolvedDaysAgo),
  });
  const entry = (daysAgo: number) => ({
    incidentId: incidentIds.oldOpen,
    kind: 'signal-fired',
    at: ago(daysAgo),
  });
  await es.bulk({
    refresh: true,
    operations: [
      { index: { _index: indices.incidents.index, _id: incidentIds.oldResolved } },
      incident(incidentIds.oldResolved, 101, 100),
      { index: { _index: indices.incidents.index, _id: incidentIds.newResolved } },
      incident(incidentIds.newResolved, 101, 5),
      { index: { _index: indices.incidents.index, _id: incidentIds.oldOpen } },
      incident(incidentIds.oldOpen, 100, null),
      { index: { _index: indices.incidentTimeline.index, _id: oldEntry } },
      entry(100),
      { index: { _index: indices.incidentTimeline.index, _id: newEntry } },
      entry(5),
      { index: { _index: indices.deployments.index, _id: oldMarker } },
      { service: `retention-${run}`, version: '1', at: ago(100) },
      { index: { _index: indices.deployments.index, _id: newMarker } },
      { service: `retention-${run}`, version: '2', at: ago(5) },
    ],
  });
  analysis = await startAnalysis({
    LANTERN_ES_URL: stack.elasticsearch,
    LANTERN_RETENTION_LOGS: '5d',
    LANTERN_RETENTION_SPANS: '20d',
    LANTERN_RETENTION_ALERTS: '90d',
    LANTERN_STORAGE_INTERVAL: '1s',
  });
});

afterAll(async () => {
  await analysis?.stop();
  await es.indices.putSettings(
    { index: blocked, settings: { 'index.blocks.read_only': false } },
    { ignore: [404] },
  );
  await es.indices.delete({ index: made, ignore_unavailable: true });
  await es.delete(
    { index: indices.alertHistory.index, id: newTransition, refresh: true },
    { ignore: [404] },
  );
  for (const id of Object.values(incidentIds))
    await es.delete({ index: indices.incidents.index, id, refresh: true }, { ignore: [404] });
  await es.delete(
    { index: indices.incidentTimeline.index, id: newEntry, refresh: true },
    { ignore: [404] },
  );
  await es.delete(
    { index: indices.deployments.index, id: newMarker, refresh: true },
    { ignore: [404] },
  );
});

describe('retention, enforced by the analysis service', () => {
  it('deletes each signal’s days past its own retention, and nothing else', async () => {
    await expect.poll(() => exists(oldLogs), upTo(60_000)).toBe(false);
    await expect.poll(() => exists(midLogs), upTo()).toBe(false);
    await expect.poll(() => exists(oldSpans), upTo()).toBe(false);
    // Spans keep 20 days; logs of 3 days ago are within 5; tomorrow is never deleted.
    expect(await exists(midSpans)).toBe(true);
    expect(await exists(recentLogs)).toBe(true);
    expect(await exists(tomorrow)).toBe(true);
    // Under the same pattern, but not a daily index of Lantern's.
    expect(await exists(scratch)).toBe(true);
    await expect.poll(async () => (await recorded(oldLogs)).length, upTo()).toBe(1);
    const [deletion] = await recorded(oldLogs);
    expect(deletion).toMatchObject({
      reason: 'retention',
      outcome: 'deleted',
      signal: 'logs',
      day: dayAgo(30),
    });
    expect(deletion?.detail).toMatch(/older than the 5-day retention of logs/);
  });

  it('records a deletion Elasticsearch refuses once, and retries it until it succeeds', async () => {
    await expect.poll(async () => (await recorded(blocked)).length, upTo()).toBeGreaterThan(0);
    // A later round deletes a day made only now, and meets the same refusal: recorded once.
    await seed(later);
    await expect.poll(async () => (await recorded(later)).length, upTo()).toBe(1);
    const refused = await recorded(blocked);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ outcome: 'failed', reason: 'retention' });
    expect(refused[0]?.detail).toMatch(
      /Elasticsearch refused: 403 cluster_block_exception: .*read-only/,
    );
    expect(await exists(blocked)).toBe(true);
    await es.indices.putSettings({ index: blocked, settings: { 'index.blocks.read_only': false } });
    await expect.poll(() => exists(blocked), upTo()).toBe(false);
    // The deletion is recorded after it is done, in an index searchable a refresh later.
    await expect
      .poll(async () => (await recorded(blocked)).map((d) => d.outcome), upTo())
      .toEqual(['failed', 'deleted']);
  });

  it('reports an index deleted outside Lantern', async () => {
    await es.indices.delete({ index: tomorrow });
    await expect
      .poll(async () => (await recorded(tomorrow)).map((d) => d.reason), upTo())
      .toEqual(['outside']);
  });

  it('merges a finished day into one segment', async () => {
    await expect.poll(() => segments(recentLogs), upTo(60_000)).toBe(1);
    const { count } = await es.count({ index: recentLogs });
    expect(count).toBe(60);
  });

  it('deletes alert history past its retention, keeps the rest', async () => {
    const has = (id: string) => es.exists({ index: indices.alertHistory.index, id });
    await expect.poll(() => has(oldTransition), upTo()).toBe(false);
    expect(await has(newTransition)).toBe(true);
  });

  it('deletes incidents resolved and timeline entries made before the retention; open ones stay', async () => {
    const has = (index: string, id: string) => es.exists({ index, id });
    const incident = (id: string) => has(indices.incidents.index, id);
    const entry = (id: string) => has(indices.incidentTimeline.index, id);
    await expect.poll(() => incident(incidentIds.oldResolved), upTo()).toBe(false);
    await expect.poll(() => entry(oldEntry), upTo()).toBe(false);
    expect(await incident(incidentIds.newResolved)).toBe(true);
    expect(await incident(incidentIds.oldOpen)).toBe(true);
    expect(await entry(newEntry)).toBe(true);
  });

  it('deletes deploys marked before the alert-history retention, keeps the rest', async () => {
    const has = (id: string) => es.exists({ index: indices.deployments.index, id });
    await expect.poll(() => has(oldMarker), upTo()).toBe(false);
    expect(await has(newMarker)).toBe(true);
  });

  it('shows the budget, what is left, the retention in force and the last deletions', async () => {
    const response = await fetch(`${analysis?.url ?? ''}/api/v1/storage`);
    expect(response.status).toBe(200);
    const body = storage.parse(await response.json());
    expect(body.retention).toEqual({ logs: 5, spans: 20, alertHistory: 90 });
    const { budget } = body;
    expect(budget.setting).toBe('50%');
    expect(budget.bytes).toBe(Math.floor(budget.disk.totalBytes / 2));
    expect(budget.used).toBeGreaterThan(0);
    // The budget's room, or the disk's below the guard's 80% when others filled it more.
    const diskRoom = Math.floor(budget.disk.totalBytes * 0.8 - budget.disk.usedBytes);
    const budgetRoom = budget.bytes - budget.used;
    expect(budget.left).toBe(Math.max(0, Math.min(budgetRoom, diskRoom)));
    expect(budget.limitedBy).toBe(diskRoom < budgetRoom ? 'disk' : 'budget');
    expect(budget.leftShare).toBeCloseTo(budget.left / budget.bytes, 9);
    const shown = body.deletions.map((d) => `${d.index} ${d.reason} ${d.outcome}`);
    expect(shown).toContain(`${oldLogs} retention deleted`);
    expect(shown).toContain(`${tomorrow} outside deleted`);
    expect(shown).toContain(`${blocked} retention failed`);
  });
});
