import type { Client } from '@elastic/elasticsearch';
import type { Immutable } from '../contracts/api/immutable.ts';
import type {
  StorageUsage,
  StoredDay,
  StoredSignal,
  StoredSignalName,
} from '../contracts/api/storage.ts';
import { indices } from '../contracts/indices.ts';

/**
 * Which indices hold each signal. Logs and spans: the Collector's daily indices
 * (`<prefix>-YYYY.MM.DD`, by ingest date) and no other index their pattern matches (a benchmark's
 * or test's scratch index is not Lantern's data). Alert history: its one index, every day in it.
 */
const dailyName = (prefix: string) => new RegExp(`^${prefix}-(\\d{4})\\.(\\d{2})\\.(\\d{2})$`);
const signalIndices: Record<StoredSignalName, { pattern: string; day(index: string): DayOf }> = {
  logs: { pattern: indices.logs.pattern, day: daily(dailyName(indices.logs.prefix)) },
  spans: { pattern: indices.spans.pattern, day: daily(dailyName(indices.spans.prefix)) },
  alertHistory: {
    pattern: indices.alertHistory.index,
    day: (index) => (index === indices.alertHistory.index ? { day: null } : undefined),
  },
};

/** The day an index holds (null: every day), or undefined when it is not the signal's. */
type DayOf = { day: string | null } | undefined;

function daily(name: RegExp): (index: string) => DayOf {
  return (index) => {
    const match = name.exec(index);
    return match ? { day: `${match[1] ?? ''}-${match[2] ?? ''}-${match[3] ?? ''}` } : undefined;
  };
}

interface IndexSizes {
  readonly primaries?: {
    readonly docs?: { readonly count?: number };
    readonly store?: { readonly size_in_bytes?: number };
  };
  readonly total?: { readonly store?: { readonly size_in_bytes?: number } };
}

/** Bytes per record to a tenth, from the primary copy; null without records. */
const perRecord = (primaryBytes: number, documents: number): number | null =>
  documents === 0 ? null : Math.round((primaryBytes / documents) * 10) / 10;

/**
 * What each signal takes in Elasticsearch now, per index: documents, bytes on disk (every copy)
 * and bytes per record (the primary copy's). One `_stats` request; an index that is closed or
 * does not exist yet is not listed.
 */
export async function storageUsage(
  client: Client,
): Promise<Immutable<Pick<StorageUsage, 'signals' | 'total'>>> {
  const stats = await client.indices.stats(
    {
      index: Object.values(signalIndices).map((signal) => signal.pattern),
      metric: ['docs', 'store'],
      expand_wildcards: 'open',
      filter_path: [
        'indices.*.primaries.docs.count',
        'indices.*.primaries.store.size_in_bytes',
        'indices.*.total.store.size_in_bytes',
      ],
    },
    // The client's types lack these two, which _stats takes: alert history may not exist yet.
    { querystring: { ignore_unavailable: true, allow_no_indices: true } },
  );
  const measured = Object.entries((stats.indices ?? {}) as Record<string, IndexSizes>);
  const signals = Object.entries(signalIndices).map(([signal, which]): StoredSignal => {
    let primaryBytes = 0;
    const days = measured
      .flatMap(([index, sizes]): (StoredDay & { primaryBytes: number })[] => {
        const day = which.day(index);
        if (!day) return [];
        const documents = sizes.primaries?.docs?.count ?? 0;
        const primary = sizes.primaries?.store?.size_in_bytes ?? 0;
        return [
          {
            ...day,
            index,
            documents,
            bytes: sizes.total?.store?.size_in_bytes ?? primary,
            bytesPerRecord: perRecord(primary, documents),
            primaryBytes: primary,
          },
        ];
      })
      .sort((a, b) => (b.day ?? '').localeCompare(a.day ?? '') || a.index.localeCompare(b.index))
      .map(({ primaryBytes: primary, ...day }) => {
        primaryBytes += primary;
        return day;
      });
    const documents = days.reduce((sum, day) => sum + day.documents, 0);
    return {
      signal: signal as StoredSignalName,
      documents,
      bytes: days.reduce((sum, day) => sum + day.bytes, 0),
      bytesPerRecord: perRecord(primaryBytes, documents),
      days,
    };
  });
  return {
    signals,
    total: {
      documents: signals.reduce((sum, signal) => sum + signal.documents, 0),
      bytes: signals.reduce((sum, signal) => sum + signal.bytes, 0),
    },
  };
}
