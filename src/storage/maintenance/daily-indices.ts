import { errors, type Client } from '@elastic/elasticsearch';
import { dailyIndex, lanternIndexPatterns } from '../../contracts/indices.ts';
import type { StoredDailyIndex } from './plan.ts';

interface ShardStats {
  readonly routing?: { readonly primary?: boolean };
  readonly segments?: { readonly count?: number };
}

interface IndexStats {
  readonly total?: { readonly store?: { readonly size_in_bytes?: number } };
  readonly shards?: Readonly<Record<string, readonly ShardStats[]>>;
}

/** What Lantern keeps now: its daily indices, and every Lantern index's bytes together. */
export interface StoredIndices {
  readonly daily: StoredDailyIndex[];
  readonly lanternBytes: number;
}

/**
 * Sizes and segment counts of Lantern's indices, in one `_stats` request. Daily indices are the
 * names of the Collector's shape only ({@link dailyIndex}); other indices under the same
 * patterns count towards the bytes but are never listed for deletion.
 */
export async function storedIndices(client: Client): Promise<StoredIndices> {
  const stats = await client.indices.stats({
    index: [...lanternIndexPatterns],
    metric: ['store', 'segments'],
    level: 'shards',
    expand_wildcards: 'open',
    filter_path: [
      'indices.*.total.store.size_in_bytes',
      'indices.*.shards.*.routing.primary',
      'indices.*.shards.*.segments.count',
    ],
  });
  const measured = Object.entries((stats.indices ?? {}) as Record<string, IndexStats>);
  let lanternBytes = 0;
  const daily: StoredDailyIndex[] = [];
  for (const [index, sizes] of measured) {
    const bytes = sizes.total?.store?.size_in_bytes ?? 0;
    lanternBytes += bytes;
    const name = dailyIndex(index);
    if (!name) continue;
    const primaries = Object.values(sizes.shards ?? {})
      .flat()
      .filter((shard) => shard.routing?.primary === true);
    const segments = Math.max(0, ...primaries.map((shard) => shard.segments?.count ?? 0));
    daily.push({ ...name, bytes, segments });
  }
  return { daily, lanternBytes };
}

/**
 * Deletes one daily index by its exact name. Refuses any other name, so no caller can turn it
 * into a wildcard or point it at an index that is not Lantern's daily one.
 */
export async function deleteDailyIndex(client: Client, index: string): Promise<void> {
  if (!dailyIndex(index)) throw new Error(`${index} is not a daily index of Lantern's`);
  try {
    await client.indices.delete({ index, expand_wildcards: 'none' });
  } catch (error) {
    throw new Error(refusal(error), { cause: error });
  }
}

/** Elasticsearch's refusal on one line: status, error type and reason. */
function refusal(error: unknown): string {
  if (!(error instanceof errors.ResponseError)) return (error as Error).message;
  const body = error.body as { error?: { type?: string; reason?: string } } | undefined;
  const { type, reason } = body?.error ?? {};
  return `${String(error.statusCode)} ${type ?? 'error'}${reason ? `: ${reason}` : ''}`;
}

/** Merges a finished day's index into one segment: fewer bytes, faster searches. */
export async function forceMergeDay(client: Client, index: string): Promise<void> {
  if (!dailyIndex(index)) throw new Error(`${index} is not a daily index of Lantern's`);
  // A merge of a large day takes minutes: it is waited for, apart from the deletions.
  await client.indices.forcemerge(
    { index, max_num_segments: 1 },
    { requestTimeout: 3_600_000, maxRetries: 0 },
  );
}
