import { HTTP_STATUS_ATTRIBUTES } from './failed-request.ts';
import { WEIGHT_ATTRIBUTE } from './sampling-weight.ts';

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
  /** Searchable only (no doc values): found by term queries, never aggregated by terms. */
  serviceVersion: 'Resource.service.version',
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
    statusMessage: 'TraceStatusDescription',
    /** Prefix of span events, flattened: `Events.<name>.time`, `Events.<name>.<attribute>`. */
    eventsPrefix: 'Events.',
    /** Microseconds. */
    duration: 'Duration',
    endTimestamp: 'EndTimestamp',
    samplingWeight: `Attributes.${WEIGHT_ATTRIBUTE}`,
    httpRoute: 'Attributes.http.route',
    httpStatus: `Attributes.${HTTP_STATUS_ATTRIBUTES[0]}`,
    /** Every attribute a span may keep its HTTP response status in, newest convention first. */
    httpStatuses: HTTP_STATUS_ATTRIBUTES.map((name) => `Attributes.${name}` as const),
  },
} as const;
