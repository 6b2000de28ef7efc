import type { Client } from '@elastic/elasticsearch';
import { indices } from '../../contracts/indices.ts';
import type { StorageDeletion } from '../../contracts/storage-deletion.ts';
import { lenient } from '../queries/search-options.ts';

/**
 * Records deletions (done or refused), so that every replica's API shows the last ones and the
 * alert engine sees them. Waits for the refresh: the next read finds them.
 */
export async function recordDeletions(
  client: Client,
  deletions: readonly StorageDeletion[],
): Promise<void> {
  if (deletions.length === 0) return;
  const result = await client.bulk({
    operations: deletions.flatMap((deletion) => [
      { create: { _index: indices.storageDeletions.index } },
      deletion,
    ]),
    refresh: 'wait_for',
  });
  if (result.errors) {
    const failed = result.items.find((item) => item.create?.error)?.create?.error;
    throw new Error(`recording deletions failed (${failed?.type ?? 'unknown'})`);
  }
}

/** Deletions recorded in [from, to) (epoch ms), newest first; none when nothing was recorded yet. */
export async function deletionsBetween(
  client: Client,
  range: { readonly from: number; readonly to: number },
  limit = 100,
): Promise<StorageDeletion[]> {
  const result = await client.search<StorageDeletion>({
    index: indices.storageDeletions.index,
    size: limit,
    ...lenient,
    query: {
      range: {
        at: {
          gte: new Date(range.from).toISOString(),
          lt: new Date(range.to).toISOString(),
        },
      },
    },
    sort: [{ at: { order: 'desc' } }],
  });
  return result.hits.hits.flatMap((hit) => (hit._source ? [hit._source] : []));
}

/** The last deletions recorded, newest first. */
export const lastDeletions = (client: Client, limit: number): Promise<StorageDeletion[]> =>
  deletionsBetween(client, { from: 0, to: Date.now() + 86_400_000 }, limit);
