import { describe, expect, it } from 'vitest';
import {
  budgetOn,
  firstProtectedDay,
  forBudget,
  pastRetention,
  roomLeft,
  toForceMerge,
  type StoredDailyIndex,
} from '../../../src/storage/maintenance/plan.ts';
import { dailyIndex, dailyIndexName } from '../../../src/contracts/indices.ts';

const MB = 1024 ** 2;
const at = (iso: string): number => Date.parse(iso);
const day = (
  signal: 'logs' | 'spans',
  d: string,
  bytes = 10 * MB,
  segments = 1,
): StoredDailyIndex => ({
  index: dailyIndexName(signal, d),
  signal,
  day: d,
  bytes,
  segments,
});

describe('daily index names', () => {
  it('accepts only the Collector’s exact shape with a real date', () => {
    expect(dailyIndex('lantern-logs-2026.12.07')).toEqual({
      index: 'lantern-logs-2026.12.07',
      signal: 'logs',
      day: '2026-12-07',
    });
    expect(dailyIndex('lantern-spans-2026.02.28')?.signal).toBe('spans');
    for (const other of [
      'lantern-logs-seed-abc',
      'lantern-logs-2026.12.07-late',
      'lantern-logs-2026.02.31',
      'lantern-logs-2026.12.7',
      'lantern-alert-history',
      'lantern-jaeger-jaeger-span-2026-12-07',
      'other-logs-2026.12.07',
      'lantern-logs-*',
    ])
      expect(dailyIndex(other), other).toBeUndefined();
    expect(dailyIndexName('spans', '2026-01-05')).toBe('lantern-spans-2026.01.05');
  });
});

describe('retention', () => {
  const now = at('2026-12-07T10:00:00Z');
  const stored = [
    '2026-11-28',
    '2026-11-29',
    '2026-11-30',
    '2026-12-01',
    '2026-12-06',
    '2026-12-07',
  ].flatMap((d) => [day('logs', d), day('spans', d)]);

  it('deletes a day once all of it is older than the retention, per signal', () => {
    const expired = pastRetention(stored, { logs: 7, spans: 8 }, now, '2026-12-07');
    // 7 days before now is 2026-11-30T10:00: the 29th ended before it, the 30th did not.
    expect(expired.map((i) => i.index).sort()).toEqual([
      'lantern-logs-2026.11.28',
      'lantern-logs-2026.11.29',
      'lantern-spans-2026.11.28',
    ]);
  });

  it('never deletes a protected day, whatever the retention', () => {
    const expired = pastRetention(stored, { logs: 1, spans: 1 }, now, '2026-12-06');
    expect(expired.map((i) => i.day)).not.toContain('2026-12-06');
    expect(expired.map((i) => i.day)).not.toContain('2026-12-07');
    expect(expired).toHaveLength(8);
  });

  it('protects today on the UTC calendar and on a local one, whichever is earlier', () => {
    expect(firstProtectedDay(at('2026-12-07T01:00:00Z'), -120)).toBe('2026-12-06');
    expect(firstProtectedDay(at('2026-12-07T23:00:00Z'), 120)).toBe('2026-12-07');
    expect(firstProtectedDay(at('2026-12-07T12:00:00Z'), 0)).toBe('2026-12-07');
  });
});

describe('the disk guard', () => {
  const stored = [
    day('logs', '2026-12-03', 30 * MB),
    day('spans', '2026-12-03', 20 * MB),
    day('logs', '2026-12-04', 30 * MB),
    day('spans', '2026-12-04', 20 * MB),
    day('logs', '2026-12-05', 30 * MB),
    day('spans', '2026-12-05', 20 * MB),
    day('logs', '2026-12-07', 50 * MB),
  ];
  const disk = { totalBytes: 1000 * MB, usedBytes: 300 * MB };

  it('does nothing under 90% of the budget and 80% of the disk', () => {
    const plan = forBudget(
      stored,
      { lanternBytes: 200 * MB, budgetBytes: 223 * MB, disk },
      '2026-12-07',
    );
    expect(plan).toEqual({ delete: [], reasons: [], stillOver: false });
  });

  it('deletes the oldest whole days, logs and spans, until under the budget’s guard', () => {
    // 200 MB against a 200 MB budget: down to 180 MB needs one day (50 MB) gone.
    const plan = forBudget(
      stored,
      { lanternBytes: 200 * MB, budgetBytes: 200 * MB, disk },
      '2026-12-07',
    );
    expect(plan.reasons).toEqual(['budget']);
    expect(plan.delete.map((i) => i.index)).toEqual([
      'lantern-logs-2026.12.03',
      'lantern-spans-2026.12.03',
    ]);
    expect(plan.stillOver).toBe(false);
    const more = forBudget(
      stored,
      { lanternBytes: 200 * MB, budgetBytes: 120 * MB, disk },
      '2026-12-07',
    );
    expect(more.delete.map((i) => i.day)).toEqual([
      '2026-12-03',
      '2026-12-03',
      '2026-12-04',
      '2026-12-04',
    ]);
  });

  it('acts on a full disk even inside the budget', () => {
    const plan = forBudget(
      stored,
      {
        lanternBytes: 200 * MB,
        budgetBytes: 900 * MB,
        disk: { totalBytes: 1000 * MB, usedBytes: 870 * MB },
      },
      '2026-12-07',
    );
    expect(plan.reasons).toEqual(['disk']);
    expect(plan.delete.map((i) => i.day)).toEqual([
      '2026-12-03',
      '2026-12-03',
      '2026-12-04',
      '2026-12-04',
    ]);
  });

  it('never deletes today’s data: it says it is still over instead', () => {
    const plan = forBudget(
      stored,
      { lanternBytes: 200 * MB, budgetBytes: 10 * MB, disk },
      '2026-12-07',
    );
    expect(plan.delete.map((i) => i.day)).not.toContain('2026-12-07');
    expect(plan.delete).toHaveLength(6);
    expect(plan.stillOver).toBe(true);
  });

  it('resolves a share of the disk, and refuses a budget larger than the disk', () => {
    expect(budgetOn({ diskShare: 0.5, text: '50%' }, 1000 * MB)).toEqual({ bytes: 500 * MB });
    expect(budgetOn({ bytes: 20 * MB, text: '20mb' }, 1000 * MB)).toEqual({ bytes: 20 * MB });
    expect(budgetOn({ bytes: 2000 * MB, text: '2000mb' }, 1000 * MB)).toEqual({
      problem: '(2000mb) is larger than the disk Elasticsearch keeps its data on (1000mb)',
    });
  });
});

describe('room left before the guard deletes', () => {
  const GB = 1024 * MB;
  it('is the budget’s room while the disk has more below its 80%', () => {
    expect(
      roomLeft({
        lanternBytes: 10 * GB,
        budgetBytes: 50 * GB,
        disk: { totalBytes: 100 * GB, usedBytes: 30 * GB },
      }),
    ).toEqual({ bytes: 40 * GB, limitedBy: 'budget' });
  });

  it('is the disk’s room below 80% when other files leave less than the budget', () => {
    // 126 GiB budget on a 252 GiB disk that others have filled to 191 GiB: 10.6 GiB, not 126.
    expect(
      roomLeft({
        lanternBytes: 9 * MB,
        budgetBytes: 126 * GB,
        disk: { totalBytes: 252 * GB, usedBytes: 191 * GB },
      }),
    ).toEqual({ bytes: Math.floor(252 * GB * 0.8 - 191 * GB), limitedBy: 'disk' });
  });

  it('is never below 0', () => {
    expect(
      roomLeft({
        lanternBytes: 60 * GB,
        budgetBytes: 50 * GB,
        disk: { totalBytes: 100 * GB, usedBytes: 70 * GB },
      }),
    ).toEqual({ bytes: 0, limitedBy: 'budget' });
    expect(
      roomLeft({
        lanternBytes: 1 * GB,
        budgetBytes: 50 * GB,
        disk: { totalBytes: 100 * GB, usedBytes: 90 * GB },
      }),
    ).toEqual({ bytes: 0, limitedBy: 'disk' });
  });
});

describe('force-merge', () => {
  it('merges finished days with more than one segment, oldest first, never today', () => {
    const stored = [
      day('logs', '2026-12-05', MB, 12),
      day('spans', '2026-12-04', MB, 3),
      day('spans', '2026-12-05', MB, 1),
      day('logs', '2026-12-07', MB, 30),
    ];
    expect(toForceMerge(stored, '2026-12-07').map((i) => i.index)).toEqual([
      'lantern-spans-2026.12.04',
      'lantern-logs-2026.12.05',
    ]);
  });
});
