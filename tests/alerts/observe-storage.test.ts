import { describe, expect, it } from 'vitest';
import { storageDeletions } from '../../src/alerts/observe-storage.ts';
import { parseRules, type StorageRule } from '../../src/alerts/rules.ts';
import type { StorageDeletion } from '../../src/contracts/storage-deletion.ts';
import type { EvaluationReader } from '../../src/storage/evaluation-reader.ts';

const rule = parseRules({
  rules: [{ name: 'storage-guard', kind: 'storage_deletions', severity: 'high' }],
})[0] as StorageRule;

const deletion = (over: Partial<StorageDeletion>): StorageDeletion => ({
  at: '2026-12-07T10:00:00.000Z',
  index: 'lantern-logs-2026.12.01',
  signal: 'logs',
  day: '2026-12-01',
  bytes: 1000,
  reason: 'retention',
  outcome: 'deleted',
  detail: 'older than the 7-day retention of logs',
  ...over,
});

const reading = (deletions: StorageDeletion[]): EvaluationReader => ({
  requests: () => Promise.resolve([]),
  logs: () => Promise.resolve([]),
  logHistories: () => Promise.resolve(new Map()),
  exemplars: () => Promise.resolve([]),
  errorMessages: () => Promise.resolve(new Map()),
  deletions: () => Promise.resolve(deletions),
});

const range = { from: 0, to: 1 };

describe('the storage alert', () => {
  it('reads a one-hour window by default', () => {
    expect(rule.window).toBe(3_600_000);
  });

  it('says nothing of retention doing its job', async () => {
    const [seen] = await storageDeletions(reading([deletion({})]), rule, range);
    expect(seen).toMatchObject({ active: false, value: 0, service: null });
  });

  it('fires for days the guard deleted, indices gone outside Lantern and refusals, naming them', async () => {
    const [seen] = await storageDeletions(
      reading([
        deletion({
          index: 'lantern-spans-2026.12.02',
          reason: 'budget',
          detail: 'oldest day deleted: Lantern’s indices took 190mb of a 200mb budget',
        }),
        deletion({ index: 'lantern-logs-2026.12.07', reason: 'outside' }),
        deletion({ index: 'lantern-logs-2026.11.01', outcome: 'failed' }),
        deletion({}),
      ]),
      rule,
      range,
    );
    expect(seen?.active).toBe(true);
    expect(seen?.value).toBe(3);
    expect(seen?.labels).toEqual({ alertname: 'storage-guard', severity: 'high' });
    expect(seen?.details).toEqual({
      indices:
        'lantern-spans-2026.12.02 (budget), lantern-logs-2026.12.07 (outside), lantern-logs-2026.11.01 (refused)',
      reason: 'oldest day deleted: Lantern’s indices took 190mb of a 200mb budget',
    });
  });
});
