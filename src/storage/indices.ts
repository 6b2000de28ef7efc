/**
 * The one place that knows Lantern's index names. The Collector's Elasticsearch exporter writes
 * daily indices (logstash_format: `<prefix>-YYYY.MM.DD`, by ingest date), so retention is
 * deleting old indices; readers query the patterns.
 */
export const indices = {
  logs: { prefix: 'lantern-logs', pattern: 'lantern-logs-*', template: 'lantern-logs' },
  spans: { prefix: 'lantern-spans', pattern: 'lantern-spans-*', template: 'lantern-spans' },
} as const;

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
    samplingWeight: 'Attributes.lantern.sampling.weight',
    httpRoute: 'Attributes.http.route',
    httpStatus: 'Attributes.http.response.status_code',
  },
} as const;
