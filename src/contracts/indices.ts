/**
 * The one place that knows Lantern's index names. The Collector's Elasticsearch exporter writes
 * daily indices (logstash_format: `<prefix>-YYYY.MM.DD`, by ingest date), so retention is
 * deleting old indices; readers query the patterns.
 */
export const indices = {
  logs: { prefix: 'lantern-logs', pattern: 'lantern-logs-*', template: 'lantern-logs' },
  spans: { prefix: 'lantern-spans', pattern: 'lantern-spans-*', template: 'lantern-spans' },
  /** Current state of every alert (one document per alert id). */
  alerts: { index: 'lantern-alerts', template: 'lantern-alerts' },
  /** Every state change of every alert, append-only. */
  alertHistory: { index: 'lantern-alert-history', template: 'lantern-alert-history' },
  /** One document: which analysis replica evaluates the rules, and until when. */
  alertLease: { index: 'lantern-alert-lease', template: 'lantern-alert-lease' },
} as const;
