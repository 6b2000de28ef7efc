import type { Client } from '@elastic/elasticsearch';
import type { Immutable } from '../../contracts/api/immutable.ts';
import type { StorageUsage } from '../../contracts/api/storage.ts';
import { storageUsage } from '../storage-usage.ts';
import { lastDeletions } from './deletions-log.ts';
import { dataDisk } from './disk.ts';
import { budgetOn, roomLeft, type StorageBudget } from './plan.ts';

/** The storage settings in force (the analysis service's configuration). */
export interface StorageSettings {
  readonly retention: StorageUsage['retention'];
  readonly budget: StorageBudget;
}

/** How many deletions the API shows. */
const LAST_DELETIONS = 20;

/**
 * GET /api/v1/storage: what each signal takes per day; the budget and what is left of it (or of
 * the disk, when that is tighter)
 * (Lantern's bytes from the same `_stats` request, measured as the disk guard measures them);
 * the retention in force, and the last deletions.
 */
export async function storageStatus(
  client: Client,
  settings: StorageSettings,
): Promise<Immutable<StorageUsage>> {
  const [{ lanternBytes, ...usage }, disk, deletions] = await Promise.all([
    storageUsage(client),
    dataDisk(client),
    lastDeletions(client, LAST_DELETIONS),
  ]);
  const fits = budgetOn(settings.budget, disk.totalBytes);
  // A budget larger than the disk (reported at start and by maintenance) holds as the disk.
  const bytes = 'bytes' in fits ? fits.bytes : disk.totalBytes;
  const left = roomLeft({ lanternBytes, budgetBytes: bytes, disk });
  return {
    ...usage,
    budget: {
      setting: settings.budget.text,
      bytes,
      used: lanternBytes,
      left: left.bytes,
      leftShare: bytes > 0 ? left.bytes / bytes : null,
      limitedBy: left.limitedBy,
      disk: { totalBytes: disk.totalBytes, usedBytes: disk.usedBytes },
    },
    retention: settings.retention,
    deletions,
  };
}
