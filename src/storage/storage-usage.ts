import type { Client } from '@elastic/elasticsearch';
import type { Immutable } from '../contracts/api/immutable.ts';
import {
  STORED_SIGNALS,
  type StorageUsage,
  type StoredDay,
  type StoredSignalName,
} from '../contracts/api/storage.ts';
import { dailyIndex, indices, lanternIndexPatterns } from '../contracts/indices.ts';

interface IndexSizes {
  readonly primaries?: {
    readonly docs?: { readonly count?: number };
    readonly store?: { readonly size_in_bytes?: number };
  };
  readonly total?: { readonly store?: { readonly size_in_bytes?: number } };
}

/** What each signal takes, per index, and every Lantern index's bytes together. */
export interface MeasuredStorage extends Pick<StorageUsage, 'signals' | 'total'> {
  /** Every index of Lantern's on disk, every copy: what the disk budget counts. */
  readonly lanternBytes: number;
}

/**
 * The signal and day of an index: the Collector's daily indices ({@link dailyIndex}: no other
 * index their pattern matches, a benchmark's or test's scratch index is not Lantern's data), and
 * alert history's one index, every day in it (day null). Undefined for any other index.
 */
function signalOf(index: string): { signal: StoredSignalName; day: string | null } | undefined {
  if (index === indices.alertHistory.index) return { signal: 'alertHistory', day: null };
  const daily = dailyIndex(index);
  return daily && { signal: daily.signal, day: daily.day };
}

/** Bytes per record to a tenth, from the primary copy; null without records. */
const perRecord = (primaryBytes: number, documents: number): number | null =>
  documents === 0 ? null : Math.round((primaryBytes / documents) * 10) / 10;

const sum = <T>(rows: readonly T[], of: (row: T) => number): number =>
  rows.reduce((total, row) => total + of(row), 0);

/**
 * What each signal takes in Elasticsearch now, per index: documents, bytes on disk (every copy)
 * and bytes per record (the primary copy's); and every Lantern index's bytes together, measured
 * as the disk guard measures them. One `_stats` request; an index that is closed or does not
 * exist yet is not listed.
 */
export async function storageUsage(client: Client): Promise<Immutable<MeasuredStorage>> {
  const stats = await client.indices.stats({
    index: [...lanternIndexPatterns],
    metric: ['docs', 'store'],
    expand_wildcards: 'open',
    filter_path: [
      'indices.*.primaries.docs.count',
      'indices.*.primaries.store.size_in_bytes',
      'indices.*.total.store.size_in_bytes',
    ],
  });
  let lanternBytes = 0;
  const measured: (StoredDay & { signal: StoredSignalName; primaryBytes: number })[] = [];
  for (const [index, sizes] of Object.entries(
    (stats.indices ?? {}) as Record<string, IndexSizes>,
  )) {
    const primaryBytes = sizes.primaries?.store?.size_in_bytes ?? 0;
    const bytes = sizes.total?.store?.size_in_bytes ?? primaryBytes;
    lanternBytes += bytes;
    const of = signalOf(index);
    if (!of) continue;
    const documents = sizes.primaries?.docs?.count ?? 0;
    measured.push({
      ...of,
      index,
      documents,
      bytes,
      bytesPerRecord: perRecord(primaryBytes, documents),
      primaryBytes,
    });
  }
  const signals = STORED_SIGNALS.map((signal) => {
    const rows = measured
      .filter((row) => row.signal === signal)
      .sort((a, b) => (b.day ?? '').localeCompare(a.day ?? '') || a.index.localeCompare(b.index));
    const documents = sum(rows, (row) => row.documents);
    return {
      signal,
      documents,
      bytes: sum(rows, (row) => row.bytes),
      bytesPerRecord: perRecord(
        sum(rows, (row) => row.primaryBytes),
        documents,
      ),
      days: rows.map(({ day, index, documents: count, bytes, bytesPerRecord }) => ({
        day,
        index,
        documents: count,
        bytes,
        bytesPerRecord,
      })),
    };
  });
  return {
    signals,
    total: { documents: sum(signals, (s) => s.documents), bytes: sum(signals, (s) => s.bytes) },
    lanternBytes,
  };
}
