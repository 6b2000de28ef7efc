import * as z from 'zod/mini';
import type { Immutable } from './immutable.ts';
import {
  atLeastZero,
  attributes,
  nullableString,
  spanId,
  time,
  traceId,
  wholeCount,
} from './values.ts';

/** One log record. */
export const logRecord = z.strictObject({
  timestamp: time,
  severity: z.string(),
  severityNumber: z.nullable(z.int()),
  service: nullableString,
  /** The record's body: a string, or structured as the source sent it. */
  message: z.unknown(),
  traceId: z.string(),
  spanId: z.nullable(spanId),
  attributes,
});

/** With traceId: that trace's records, oldest first. Without: a search, newest first. */
export const logList = z.strictObject({ traceId: z.nullable(traceId), logs: z.array(logRecord) });

/** A sampling weight: how many like it one stored item stands for. */
const weight = z.number().check(z.minimum(1));

/** How a trace search orders its traces. */
export const TRACE_SORTS = ['newest', 'longest', 'most-spans'] as const;

/**
 * One trace in a search, as Jaeger lists it: by its root (the span with no parent; the earliest
 * stored span when the root was not kept), with how many spans, services and errors it holds.
 */
export const traceSummary = z.strictObject({
  traceId,
  /** The root's service and operation, route and start. */
  service: nullableString,
  name: z.string(),
  route: nullableString,
  startedAt: time,
  /** The root's duration (the longest span's when the root was not kept). */
  durationMs: atLeastZero,
  /** Whether any span of the trace failed (status ERROR, or a server's 5xx). */
  failed: z.boolean(),
  /** The root's sampling weight. */
  weight,
  /** Whether the root span is stored: false when only later spans of the trace were kept. */
  rootKept: z.boolean(),
  spans: wholeCount,
  errors: wholeCount,
  /** Its services with their span counts, most spans first (equal counts by name). */
  services: z.array(z.strictObject({ service: z.string(), spans: wholeCount })),
});
export const traceList = z.strictObject({ traces: z.array(traceSummary) });

/** One span of a trace, whole. */
export const span = z.strictObject({
  spanId,
  parentSpanId: z.nullable(spanId),
  service: nullableString,
  name: z.string(),
  kind: z.string(),
  startedAt: time,
  durationMs: atLeastZero,
  /** 0 unset, 1 ok, 2 error. */
  status: z.int().check(z.minimum(0), z.maximum(2)),
  statusMessage: nullableString,
  weight,
  attributes,
  resource: attributes,
  /** Flattened as stored: `<event name>.time`, `<event name>.<attribute>`. */
  events: attributes,
});

/** One trace: its spans (start order, weights included) and its logs (oldest first). */
export const trace = z.strictObject({
  traceId,
  spans: z.array(span),
  logs: z.array(logRecord),
});

export type LogRecord = Immutable<z.output<typeof logRecord>>;
export type TraceSummary = Immutable<z.output<typeof traceSummary>>;
export type Span = Immutable<z.output<typeof span>>;
