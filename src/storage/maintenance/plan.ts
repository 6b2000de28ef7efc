/**
 * What storage maintenance should do now, decided from what Elasticsearch reported: which daily
 * indices are past their retention, which whole days to delete to stay inside the disk budget,
 * which finished days to force-merge. Pure: no Elasticsearch, the time passed in.
 */
import { formatBytes } from '../../contracts/byte-size.ts';
import type { DailySignal } from '../../contracts/indices.ts';

const DAY_MS = 86_400_000;

/** One daily index as Elasticsearch reported it. */
export interface StoredDailyIndex {
  readonly index: string;
  readonly signal: DailySignal;
  /** `YYYY-MM-DD`, from the index's name. */
  readonly day: string;
  /** On disk, every copy. */
  readonly bytes: number;
  /** The most segments any primary shard of it has (1 once force-merged). */
  readonly segments: number;
}

/** Days of each signal to keep. */
export type Retention = Readonly<Record<DailySignal, number>>;

/**
 * The days nobody may delete or merge: today on the UTC calendar and on this process's own (the
 * Collector names indices on its clock, which may be in either), and anything later.
 */
export function firstProtectedDay(now: number, utcOffsetMinutes: number): string {
  const utc = new Date(now).toISOString().slice(0, 10);
  const local = new Date(now + utcOffsetMinutes * 60_000).toISOString().slice(0, 10);
  return utc < local ? utc : local;
}

/**
 * Indices whose whole day ended at least `retention` days ago: a retention of 7 days keeps
 * every record of the last 7 × 24 hours. Never a protected day.
 */
export function pastRetention(
  stored: readonly StoredDailyIndex[],
  retention: Retention,
  now: number,
  protectedFrom: string,
): StoredDailyIndex[] {
  return stored.filter((index) => {
    if (index.day >= protectedFrom) return false;
    const dayEnds = Date.parse(`${index.day}T00:00:00Z`) + DAY_MS;
    return dayEnds + retention[index.signal] * DAY_MS <= now;
  });
}

/**
 * A storage budget: bytes (`20gb`) or a share of the disk Elasticsearch keeps its data on
 * (`50%`), which is known only once Elasticsearch has said how large that disk is.
 */
export type StorageBudget =
  | { readonly bytes: number; readonly text: string }
  | { readonly diskShare: number; readonly text: string };

/** The budget in bytes on a disk of this size; a problem when it does not fit on the disk. */
export function budgetOn(
  budget: StorageBudget,
  diskTotalBytes: number,
): { bytes: number } | { problem: string } {
  if ('diskShare' in budget) return { bytes: Math.floor(budget.diskShare * diskTotalBytes) };
  if (budget.bytes > diskTotalBytes)
    return {
      problem: `(${budget.text}) is larger than the disk Elasticsearch keeps its data on (${formatBytes(diskTotalBytes)})`,
    };
  return { bytes: budget.bytes };
}

/** How much Lantern keeps, its budget, and the disk Elasticsearch keeps its data on. */
export interface Usage {
  /** Every Lantern index on disk, every copy. */
  readonly lanternBytes: number;
  readonly budgetBytes: number;
  readonly disk: { readonly totalBytes: number; readonly usedBytes: number };
}

/**
 * The guard acts once Lantern's indices reach this share of the budget, or the disk this share
 * of its size: before either runs out, and below Elasticsearch's low watermark (85%), so that
 * Elasticsearch never has to refuse a shard or block writes.
 */
export const BUDGET_GUARD = 0.9;
export const DISK_GUARD = 0.8;

export type GuardReason = 'budget' | 'disk';

/**
 * What Lantern may still store before its guard deletes: the budget's room below the budget, or
 * less, the disk's room below the disk guard when the disk (shared with everything else on it)
 * is the tighter limit; never below 0. `limitedBy` names the one that binds.
 */
export function roomLeft(usage: Usage): {
  readonly bytes: number;
  readonly limitedBy: GuardReason;
} {
  const budget = usage.budgetBytes - usage.lanternBytes;
  const disk = usage.disk.totalBytes * DISK_GUARD - usage.disk.usedBytes;
  return disk < budget
    ? { bytes: Math.max(0, Math.floor(disk)), limitedBy: 'disk' }
    : { bytes: Math.max(0, budget), limitedBy: 'budget' };
}

export interface GuardPlan {
  /** Whole days, oldest first: every daily index of each, logs and spans. */
  readonly delete: readonly StoredDailyIndex[];
  /** Why, when anything is to be deleted or is over: the budget, the disk, or both. */
  readonly reasons: readonly GuardReason[];
  /** Still over once everything deletable is gone (only protected days are left). */
  readonly stillOver: boolean;
}

function over(usage: Usage, freed: number): GuardReason[] {
  const reasons: GuardReason[] = [];
  if (usage.lanternBytes - freed > usage.budgetBytes * BUDGET_GUARD) reasons.push('budget');
  if (usage.disk.usedBytes - freed > usage.disk.totalBytes * DISK_GUARD) reasons.push('disk');
  return reasons;
}

/**
 * The oldest whole days to delete, one day at a time, until Lantern is back under the guard's
 * share of its budget and the disk under its share of its size (each deleted index assumed to
 * free what it takes). Never a protected day: then it says it is still over.
 */
export function forBudget(
  stored: readonly StoredDailyIndex[],
  usage: Usage,
  protectedFrom: string,
): GuardPlan {
  const reasons = over(usage, 0);
  if (reasons.length === 0) return { delete: [], reasons, stillOver: false };
  const days = [...new Set(stored.map((index) => index.day))]
    .filter((day) => day < protectedFrom)
    .sort();
  const chosen: StoredDailyIndex[] = [];
  let freed = 0;
  for (const day of days) {
    if (over(usage, freed).length === 0) break;
    for (const index of stored.filter((one) => one.day === day)) {
      chosen.push(index);
      freed += index.bytes;
    }
  }
  return { delete: chosen, reasons, stillOver: over(usage, freed).length > 0 };
}

/** Finished days (not protected) still in more than one segment: the oldest first. */
export function toForceMerge(
  stored: readonly StoredDailyIndex[],
  protectedFrom: string,
): StoredDailyIndex[] {
  return stored
    .filter((index) => index.day < protectedFrom && index.segments > 1)
    .sort((a, b) => a.day.localeCompare(b.day) || a.index.localeCompare(b.index));
}
