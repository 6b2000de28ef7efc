import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StorageUsage } from '../../src/contracts/api/storage.ts';
import { indices } from '../../src/contracts/indices.ts';
import { startApi, type ApiUnderTest } from '../../tools/harness/api-server.ts';
import { es } from '../../tools/harness/stores.ts';
import { bulkLoad, logDocument, spanDocument } from '../support/seed.ts';

/**
 * GET /api/v1/storage reads the daily indices of each signal as Elasticsearch measures them:
 * documents and bytes per day, bytes per record from the primary copy. A day of 2001 (run-unique)
 * that nothing else writes to, so its figures are this test's alone.
 */
const DAY = 86_400_000;
const at = Date.UTC(2001, 0, 1) + (Date.now() % 3000) * DAY;
const dotted = new Date(at).toISOString().slice(0, 10).replaceAll('-', '.');
const day = dotted.replaceAll('.', '-');
const logIndex = `${indices.logs.prefix}-${dotted}`;
const spanIndex = `${indices.spans.prefix}-${dotted}`;
// Matches the logs pattern but is no daily index: a scratch index is not Lantern's data.
const scratch = `${indices.logs.prefix}-storage-scratch-${Date.now().toString(36)}`;
const LOGS = 300;
const SPANS = 120;

let api: ApiUnderTest;

beforeAll(async () => {
  await es.indices.delete({ index: [logIndex, spanIndex], ignore_unavailable: true });
  const log = (i: number) =>
    logDocument({
      service: 'storage-test',
      at: at + i,
      severityNumber: 9,
      message: `order ${String(i)} shipped`,
      traceId: i.toString(16).padStart(32, '0'),
      spanId: i.toString(16).padStart(16, '0'),
    });
  await bulkLoad(
    logIndex,
    Array.from({ length: LOGS }, (_, i) => log(i)),
  );
  await bulkLoad(scratch, [log(0)]);
  await bulkLoad(
    spanIndex,
    Array.from({ length: SPANS }, (_, i) =>
      spanDocument({
        service: 'storage-test',
        route: '/orders',
        at: at + i,
        durationMs: 12,
        failed: false,
        weight: 1,
      }),
    ),
  );
  // One segment, committed: the sizes stay as they are while the test compares them.
  await es.indices.forcemerge({ index: [logIndex, spanIndex], max_num_segments: 1 });
  await es.indices.flush({ index: [logIndex, spanIndex] });
  api = await startApi(es);
});
afterAll(async () => {
  await api.close();
  await es.indices.delete({ index: [logIndex, spanIndex, scratch], ignore_unavailable: true });
});

/** What Elasticsearch itself says about one index: documents, primary bytes, bytes of all copies. */
async function measured(index: string) {
  const stats = await es.indices.stats({ index, metric: ['docs', 'store'] });
  const figures = stats.indices?.[index];
  return {
    documents: figures?.primaries?.docs?.count ?? -1,
    primary: figures?.primaries?.store?.size_in_bytes ?? -1,
    bytes: figures?.total?.store?.size_in_bytes ?? -1,
  };
}

describe('GET /api/v1/storage', () => {
  it('shows each signal per day: documents, bytes on disk and bytes per record', async () => {
    const { status, body } = await api.get('/api/v1/storage');
    expect(status).toBe(200);
    const usage = body as unknown as StorageUsage;
    expect(usage.signals.map((s) => s.signal)).toEqual(['logs', 'spans', 'alertHistory']);
    for (const [signal, index, documents] of [
      ['logs', logIndex, LOGS],
      ['spans', spanIndex, SPANS],
    ] as const) {
      const truth = await measured(index);
      expect(truth.documents).toBe(documents);
      const row = usage.signals.find((s) => s.signal === signal)?.days.find((d) => d.day === day);
      expect(row).toEqual({
        day,
        index,
        documents,
        bytes: truth.bytes,
        bytesPerRecord: Math.round((truth.primary / documents) * 10) / 10,
      });
    }
  });

  it('counts only the daily indices, and totals what it lists', async () => {
    const usage = (await api.get('/api/v1/storage')).body as unknown as StorageUsage;
    const listed = usage.signals.flatMap((s) => s.days.map((d) => d.index));
    expect(listed).toContain(logIndex);
    expect(listed).not.toContain(scratch);
    for (const signal of usage.signals) {
      expect(signal.documents).toBe(signal.days.reduce((sum, d) => sum + d.documents, 0));
      expect(signal.bytes).toBe(signal.days.reduce((sum, d) => sum + d.bytes, 0));
      const days = signal.days.map((d) => d.day ?? '');
      expect(days).toEqual([...days].sort().reverse());
    }
    expect(usage.total.bytes).toBe(usage.signals.reduce((sum, s) => sum + s.bytes, 0));
  });
});
