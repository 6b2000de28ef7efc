/**
 * The one place that knows Lantern's index names. The Collector's Elasticsearch exporter writes
 * daily indices (logstash_format: `<prefix>-YYYY.MM.DD`, by ingest date on the Collector's
 * clock), so retention is deleting old indices; readers query the patterns.
 */
export const indices = {
  logs: { prefix: 'lantern-logs', pattern: 'lantern-logs-*', template: 'lantern-logs' },
  spans: { prefix: 'lantern-spans', pattern: 'lantern-spans-*', template: 'lantern-spans' },
  /** Current state of every alert (one document per alert id). */
  alerts: { index: 'lantern-alerts', template: 'lantern-alerts' },
  /** Every state change of every alert, append-only. */
  alertHistory: { index: 'lantern-alert-history', template: 'lantern-alert-history' },
  /** Current state of every incident (one document per incident id). */
  incidents: { index: 'lantern-incidents', template: 'lantern-incidents' },
  /** What happened to each incident, append-only: signals, acknowledgements, notifications. */
  incidentTimeline: { index: 'lantern-incident-timeline', template: 'lantern-incident-timeline' },
  /** Deploys a pipeline marked (POST /api/v1/deployments), append-only; kept as alert history. */
  deployments: { index: 'lantern-deployments', template: 'lantern-deployments' },
  /** One document: which analysis replica evaluates the rules, and until when. */
  alertLease: { index: 'lantern-alert-lease', template: 'lantern-alert-lease' },
  /** What storage maintenance deleted (or failed to delete), when and why: append-only. */
  storageDeletions: {
    index: 'lantern-storage-deletions',
    template: 'lantern-storage-deletions',
  },
} as const;

/**
 * Every index of Lantern's, each as a pattern (a one-index name too, so that one not made yet is
 * no error): what the disk budget counts. Derived from {@link indices}, so a new index counts.
 */
export const lanternIndexPatterns: readonly string[] = Object.values(indices).map((one) =>
  'pattern' in one ? one.pattern : `${one.index}*`,
);

/** The signals kept in daily indices: what retention and the disk budget delete, a day at a time. */
export const DAILY_SIGNALS = ['logs', 'spans'] as const;
export type DailySignal = (typeof DAILY_SIGNALS)[number];

/** One daily index: its signal and its day (`YYYY-MM-DD`, the date in its name). */
export interface DailyIndexName {
  readonly index: string;
  readonly signal: DailySignal;
  readonly day: string;
}

const DAILY_NAME = /^lantern-(logs|spans)-(\d{4})\.(\d{2})\.(\d{2})$/;

/**
 * The signal and day of a daily index of Lantern's, or undefined for any other name (a test's
 * or benchmark's scratch index under the same pattern, another product's index, a date that
 * does not exist). Retention and the disk guard delete only names this accepts, each by its
 * exact name: never a wildcard.
 */
export function dailyIndex(index: string): DailyIndexName | undefined {
  const match = DAILY_NAME.exec(index);
  if (!match) return undefined;
  const [, signal, year, month, date] = match;
  const day = `${year ?? ''}-${month ?? ''}-${date ?? ''}`;
  // Date.parse rolls 2026-02-31 over to March; a real date prints back as itself.
  const parsed = Date.parse(`${day}T00:00:00Z`);
  if (Number.isNaN(parsed) || new Date(parsed).toISOString().slice(0, 10) !== day) return undefined;
  return { index, signal: signal as DailySignal, day };
}

/** The name the Collector gives a signal's index of one day (`YYYY-MM-DD`). */
export const dailyIndexName = (signal: DailySignal, day: string): string =>
  `${indices[signal].prefix}-${day.replaceAll('-', '.')}`;
