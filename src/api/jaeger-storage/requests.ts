import type { StoredTraceQuery } from '../../storage/queries/stored-traces.ts';

/**
 * Jaeger's requests (jaeger.storage.v2, as @grpc/proto-loader decodes them) in Lantern's terms.
 * Pure: each is tested on its own (tests/api/jaeger-storage/requests.test.ts).
 */

/** google.protobuf.Timestamp and Duration, 64-bit seconds as a decimal string. */
export interface ProtoTime {
  readonly seconds?: string;
  readonly nanos?: number;
}

interface ProtoAnyValue {
  readonly value?: string;
  readonly stringValue?: string;
  readonly boolValue?: boolean;
  readonly intValue?: string;
  readonly doubleValue?: number;
}

export interface ProtoTraceQuery {
  readonly serviceName?: string;
  readonly operationName?: string;
  readonly attributes?: readonly { key: string; value?: ProtoAnyValue }[];
  readonly startTimeMin?: ProtoTime;
  readonly startTimeMax?: ProtoTime;
  readonly durationMin?: ProtoTime;
  readonly durationMax?: ProtoTime;
  readonly searchDepth?: number;
}

/** Jaeger's own default search depth, and Elasticsearch's largest page (max_result_window). */
export const DEFAULT_SEARCH_DEPTH = 20;
export const MAX_SEARCH_DEPTH = 10_000;

/**
 * An instant as an ISO string, or undefined when unset. Go's zero time (year 1) is how Jaeger
 * sends "no bound": anything at or before the epoch counts as unset.
 */
export function instant(time: ProtoTime | undefined): string | undefined {
  const seconds = Number(time?.seconds ?? 0);
  if (seconds <= 0) return undefined;
  return new Date(seconds * 1000 + Math.floor((time?.nanos ?? 0) / 1e6)).toISOString();
}

/** A duration in microseconds (how spans store theirs), or undefined when zero. */
export function microseconds(duration: ProtoTime | undefined): number | undefined {
  const us = Number(duration?.seconds ?? 0) * 1e6 + Math.floor((duration?.nanos ?? 0) / 1e3);
  return us > 0 ? us : undefined;
}

function scalar(value: ProtoAnyValue | undefined): string | number | boolean | undefined {
  switch (value?.value) {
    case 'stringValue':
      return value.stringValue;
    case 'boolValue':
      return value.boolValue;
    case 'intValue':
      return Number(value.intValue);
    case 'doubleValue':
      return value.doubleValue;
    default:
      return undefined;
  }
}

/** TraceQueryParameters as a search of lantern-spans-*; attributes other than scalars are left out. */
export function traceQuery(q: ProtoTraceQuery | undefined): StoredTraceQuery {
  const attributes: Record<string, string | number | boolean> = {};
  for (const { key, value } of q?.attributes ?? []) {
    const v = scalar(value);
    if (v !== undefined) attributes[key] = v;
  }
  const depth = q?.searchDepth ?? 0;
  return {
    service: q?.serviceName || undefined,
    operation: q?.operationName || undefined,
    attributes,
    startMin: instant(q?.startTimeMin),
    startMax: instant(q?.startTimeMax),
    minDurationUs: microseconds(q?.durationMin),
    maxDurationUs: microseconds(q?.durationMax),
    limit: Math.min(depth > 0 ? depth : DEFAULT_SEARCH_DEPTH, MAX_SEARCH_DEPTH),
  };
}

/** Jaeger names span kinds in lower case (`server`); spans store OTLP's enum name. */
export const storedKind = (kind: string | undefined): string | undefined =>
  kind ? `SPAN_KIND_${kind.toUpperCase()}` : undefined;

/** OTLP's enum name as Jaeger names it: `server`, and '' for an unspecified kind. */
export const jaegerKind = (stored: string): string => {
  const kind = stored.replace(/^SPAN_KIND_/, '').toLowerCase();
  return kind === 'unspecified' ? '' : kind;
};

/** A trace id as the 16 bytes Jaeger sends, as spans store it: lowercase hex. */
export const traceIdHex = (bytes: Buffer | Uint8Array | undefined): string =>
  Buffer.from(bytes ?? []).toString('hex');
