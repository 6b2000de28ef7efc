import { WEIGHT_ATTRIBUTE } from '../tracing/sampler/weighted-span.ts';

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
} as const;

/** Span kind of the spans that stand for requests served. */
export const SERVER_KIND = 'SPAN_KIND_SERVER';

/** Severity numbers from ERROR (17) up are errors (OpenTelemetry log data model). */
export const ERROR_SEVERITY = 17;

/**
 * Field names of documents written by the exporter's `none` mapping mode (see README).
 * Attributes keep their OpenTelemetry names under `Attributes.`, resource attributes under
 * `Resource.`.
 */
export const fields = {
  timestamp: '@timestamp',
  traceId: 'TraceId',
  spanId: 'SpanId',
  serviceName: 'Resource.service.name',
  log: {
    severityText: 'SeverityText',
    severityNumber: 'SeverityNumber',
    body: 'Body',
  },
  span: {
    parentSpanId: 'ParentSpanId',
    name: 'Name',
    kind: 'Kind',
    /** 0 unset, 1 ok, 2 error. */
    status: 'TraceStatus',
    /** Microseconds. */
    duration: 'Duration',
    endTimestamp: 'EndTimestamp',
    samplingWeight: `Attributes.${WEIGHT_ATTRIBUTE}`,
    httpRoute: 'Attributes.http.route',
    httpStatus: 'Attributes.http.response.status_code',
  },
} as const;
