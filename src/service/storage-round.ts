/**
 * One round of storage maintenance: measure → retention → disk guard → alert history → merge.
 * Each step is decided by the pure plan (src/storage/maintenance/plan.ts) from what
 * Elasticsearch reported, and done by exact index name. A refused deletion is recorded and
 * retried next round; it stops nothing else.
 */
import { formatBytes } from '../contracts/byte-size.ts';
import type { DeletionReason, StorageDeletion } from '../contracts/storage-deletion.ts';
import type { Client } from '../storage/client.ts';
import { deleteDailyIndex, storedIndices } from '../storage/maintenance/daily-indices.ts';
import { dataDisk, type DataDisk } from '../storage/maintenance/disk.ts';
import {
  budgetOn,
  DISK_GUARD,
  firstProtectedDay,
  forBudget,
  pastRetention,
  type GuardPlan,
  type Retention,
  type StorageBudget,
  type StoredDailyIndex,
} from '../storage/maintenance/plan.ts';

export interface RoundSettings {
  readonly retention: Retention;
  readonly budget: StorageBudget;
  readonly now: () => number;
  /** This process's offset from UTC, in minutes, at a time (the Collector's calendar may be it). */
  readonly utcOffsetMinutes: (at: number) => number;
}

/** What one round found and did. */
export interface RoundReport {
  readonly disk: DataDisk;
  readonly budgetBytes: number;
  /** Set when the budget does not fit the disk: the disk guard alone holds then. */
  readonly budgetProblem: string | undefined;
  readonly lanternBytes: number;
  readonly stored: readonly StoredDailyIndex[];
  readonly deletions: readonly StorageDeletion[];
  /** Over the budget or the disk guard with nothing left that may be deleted. */
  readonly stillOver: boolean;
  readonly protectedFrom: string;
}

const deletion = (
  index: StoredDailyIndex,
  reason: DeletionReason,
  detail: string,
  at: number,
): StorageDeletion => ({
  at: new Date(at).toISOString(),
  index: index.index,
  signal: index.signal,
  day: index.day,
  bytes: index.bytes,
  reason,
  outcome: 'deleted',
  detail,
});

/** Deletes each index; a refusal becomes a `failed` record naming Elasticsearch's reason. */
async function deleteEach(
  client: Client,
  chosen: readonly { index: StoredDailyIndex; reason: DeletionReason; detail: string }[],
  at: number,
): Promise<StorageDeletion[]> {
  const done: StorageDeletion[] = [];
  for (const { index, reason, detail } of chosen) {
    try {
      await deleteDailyIndex(client, index.index);
      done.push(deletion(index, reason, detail, at));
    } catch (error) {
      const refused = `Elasticsearch refused: ${(error as Error).message}`;
      done.push({ ...deletion(index, reason, `${detail}; ${refused}`, at), outcome: 'failed' });
    }
  }
  return done;
}

function guardDetail(
  plan: GuardPlan,
  usage: { lantern: number; budget: number; disk: DataDisk },
): string {
  const why: string[] = [];
  if (plan.reasons.includes('budget'))
    why.push(
      `Lantern's indices took ${formatBytes(usage.lantern)} of a ${formatBytes(usage.budget)} budget`,
    );
  if (plan.reasons.includes('disk'))
    why.push(
      `the disk was ${String(Math.round((usage.disk.usedBytes / usage.disk.totalBytes) * 100))}% full (the guard keeps it under ${String(DISK_GUARD * 100)}%)`,
    );
  return `oldest day deleted: ${why.join(' and ')}`;
}

/** One round; throws only when Elasticsearch cannot say what is stored. */
export async function maintenanceRound(
  client: Client,
  settings: RoundSettings,
): Promise<RoundReport> {
  const now = settings.now();
  const [{ daily, lanternBytes }, disk] = await Promise.all([
    storedIndices(client),
    dataDisk(client),
  ]);
  const protectedFrom = firstProtectedDay(now, settings.utcOffsetMinutes(now));
  const fits = budgetOn(settings.budget, disk.totalBytes);
  const budgetBytes = 'bytes' in fits ? fits.bytes : disk.totalBytes;
  const budgetProblem = 'problem' in fits ? fits.problem : undefined;

  const expired = pastRetention(daily, settings.retention, now, protectedFrom);
  const retained = await deleteEach(
    client,
    expired.map((index) => ({
      index,
      reason: 'retention' as const,
      detail: `older than the ${String(settings.retention[index.signal])}-day retention of ${index.signal}`,
    })),
    now,
  );
  const gone = new Set(retained.filter((d) => d.outcome === 'deleted').map((d) => d.index));
  const freed = daily.filter((index) => gone.has(index.index)).reduce((sum, i) => sum + i.bytes, 0);
  const left = daily.filter((index) => !gone.has(index.index));

  const usage = {
    lanternBytes: lanternBytes - freed,
    budgetBytes,
    disk: { totalBytes: disk.totalBytes, usedBytes: disk.usedBytes - freed },
  };
  const plan = forBudget(left, usage, protectedFrom);
  const detail = guardDetail(plan, {
    lantern: usage.lanternBytes,
    budget: budgetBytes,
    disk: usage.disk,
  });
  const reason: DeletionReason = plan.reasons.includes('budget') ? 'budget' : 'disk';
  const guarded = await deleteEach(
    client,
    plan.delete.map((index) => ({ index, reason, detail })),
    now,
  );
  for (const d of guarded) if (d.outcome === 'deleted') gone.add(d.index);

  return {
    disk,
    budgetBytes,
    budgetProblem,
    lanternBytes,
    stored: daily.filter((index) => !gone.has(index.index)),
    deletions: [...retained, ...guarded],
    stillOver: plan.stillOver,
    protectedFrom,
  };
}
