import type { Client } from '@elastic/elasticsearch';
import type { Immutable } from '../../contracts/api/immutable.ts';
import type { StorageUsage } from '../../contracts/api/storage.ts';
import { storedIndices } from './daily-indices.ts';
import { lastDeletions } from './deletions-log.ts';
import { dataDisk } from './disk.ts';
import { budgetOn, type StorageBudget } from './plan.ts';

/** The storage settings in force (the analysis service's configuration). */
export interface StorageSettings {
  readonly retention: StorageUsage['retention'];
  readonly budget: StorageBudget;
}

/** How many deletions the API shows. */
const LAST_DELETIONS = 20;

/**
 * The budget and what is left of it (measured as the disk guard measures it), the retention in
 * force, and the last deletions: what GET /api/v1/storage adds to the per-day figures.
 */
export async function storageStatus(
  client: Client,
  settings: StorageSettings,
): Promise<Immutable<Pick<StorageUsage, 'budget' | 'retention' | 'deletions'>>> {
  const [{ lanternBytes }, disk, deletions] = await Promise.all([
    storedIndices(client),
    dataDisk(client),
    lastDeletions(client, LAST_DELETIONS),
  ]);
  const fits = budgetOn(settings.budget, disk.totalBytes);
  // A budget larger than the disk (reported at start and by maintenance) holds as the disk.
  const bytes = 'bytes' in fits ? fits.bytes : disk.totalBytes;
  const left = Math.max(0, bytes - lanternBytes);
  return {
    budget: {
      setting: settings.budget.text,
      bytes,
      used: lanternBytes,
      left,
      leftShare: bytes > 0 ? left / bytes : null,
      disk: { totalBytes: disk.totalBytes, usedBytes: disk.usedBytes },
    },
    retention: settings.retention,
    deletions,
  };
}
