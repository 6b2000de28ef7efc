import { fields } from '../contracts/fields.ts';
import { WEIGHT_ATTRIBUTE } from '../contracts/sampling-weight.ts';
import type { StoredSpan } from './queries/stored-traces.ts';

/**
 * Stored span documents back to OTLP (`opentelemetry.proto.trace.v1.TracesData`, as
 * @grpc/proto-loader encodes it: camelCase fields, bytes as Buffers, 64-bit integers as decimal
 * strings, enums by name). What the exporter's `none` mapping kept comes back: ids, name, kind,
 * times, status, attributes (the sampling weight among them), resource, scope, events and links.
 * It keeps an event's attributes per event name, so two events of one name come back as one.
 */

export interface OtlpAnyValue {
  readonly stringValue?: string;
  readonly boolValue?: boolean;
  readonly intValue?: string;
  readonly doubleValue?: number;
  readonly arrayValue?: { readonly values: OtlpAnyValue[] };
}
export interface OtlpKeyValue {
  readonly key: string;
  readonly value: OtlpAnyValue;
}
export interface OtlpSpan {
  readonly traceId: Buffer;
  readonly spanId: Buffer;
  readonly parentSpanId: Buffer;
  readonly name: string;
  readonly kind: string;
  readonly startTimeUnixNano: string;
  readonly endTimeUnixNano: string;
  readonly attributes: OtlpKeyValue[];
  readonly events: { timeUnixNano: string; name: string; attributes: OtlpKeyValue[] }[];
  readonly links: { traceId: Buffer; spanId: Buffer; attributes: OtlpKeyValue[] }[];
  readonly status: { readonly code: string; readonly message: string };
}
export interface OtlpTracesData {
  readonly resourceSpans: {
    resource: { attributes: OtlpKeyValue[] };
    scopeSpans: {
      scope: { name: string; version: string; attributes: OtlpKeyValue[] };
      spans: OtlpSpan[];
    }[];
  }[];
}

const STATUS_CODES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'];
/** Attributes whose numbers are doubles even when whole (JSON cannot tell 10.0 from 10). */
const DOUBLES = new Set([WEIGHT_ATTRIBUTE]);

/** Nanoseconds since the epoch of an RFC 3339 instant with up to nine fraction digits. */
export function unixNanos(instant: unknown): string {
  if (typeof instant === 'number') return (BigInt(Math.round(instant)) * 1_000_000n).toString();
  if (typeof instant !== 'string') return '0';
  const match = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(.*)$/.exec(instant);
  if (!match) return '0';
  const seconds = Date.parse(`${match[1] ?? ''}${match[3] || 'Z'}`);
  if (Number.isNaN(seconds)) return '0';
  const fraction = BigInt((match[2] ?? '').padEnd(9, '0'));
  return (BigInt(seconds) * 1_000_000n + fraction).toString();
}

const idBytes = (hex: unknown): Buffer =>
  typeof hex === 'string' && /^[0-9a-f]+$/i.test(hex) ? Buffer.from(hex, 'hex') : Buffer.alloc(0);

function anyValue(value: unknown, double = false): OtlpAnyValue {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') {
    return Number.isInteger(value) && !double
      ? { intValue: String(value) }
      : { doubleValue: value };
  }
  if (Array.isArray(value)) return { arrayValue: { values: value.map((v) => anyValue(v)) } };
  return { stringValue: JSON.stringify(value) };
}

/** The attributes under `prefix`, with it taken off their keys. */
function attributesUnder(span: StoredSpan, prefix: string, skip?: (key: string) => boolean) {
  const out: OtlpKeyValue[] = [];
  for (const [field, value] of Object.entries(span)) {
    if (!field.startsWith(prefix) || value === null || value === undefined) continue;
    const key = field.slice(prefix.length);
    if (skip?.(key)) continue;
    out.push({ key, value: anyValue(value, DOUBLES.has(key)) });
  }
  return out;
}

/** `Events.<name>.time` marks an event; its attributes are `Events.<name>.<key>`. */
function eventsOf(span: StoredSpan): OtlpSpan['events'] {
  const names = Object.keys(span)
    .filter((field) => field.startsWith(fields.span.eventsPrefix) && field.endsWith('.time'))
    .map((field) => field.slice(fields.span.eventsPrefix.length, -'.time'.length));
  return names.map((name) => ({
    name,
    timeUnixNano: unixNanos(span[`${fields.span.eventsPrefix}${name}.time`]),
    attributes: attributesUnder(
      span,
      `${fields.span.eventsPrefix}${name}.`,
      (key) => key === 'time',
    ),
  }));
}

/** The exporter keeps links as a JSON string: `[{"traceID","spanID","attribute"}]`. */
function linksOf(span: StoredSpan): OtlpSpan['links'] {
  const raw = span.Link;
  if (typeof raw !== 'string' || raw === '' || raw === '[]') return [];
  try {
    const links = JSON.parse(raw) as {
      traceID?: string;
      spanID?: string;
      attribute?: Record<string, unknown>;
    }[];
    return links.map((link) => ({
      traceId: idBytes(link.traceID),
      spanId: idBytes(link.spanID),
      attributes: Object.entries(link.attribute ?? {}).map(([key, value]) => ({
        key,
        value: anyValue(value),
      })),
    }));
  } catch {
    return [];
  }
}

function otlpSpan(span: StoredSpan): OtlpSpan {
  const status = span[fields.span.status];
  const message = span[fields.span.statusMessage];
  return {
    traceId: idBytes(span[fields.traceId]),
    spanId: idBytes(span[fields.spanId]),
    parentSpanId: idBytes(span[fields.span.parentSpanId]),
    name: typeof span[fields.span.name] === 'string' ? String(span[fields.span.name]) : '',
    kind: typeof span[fields.span.kind] === 'string' ? String(span[fields.span.kind]) : '',
    startTimeUnixNano: unixNanos(span[fields.timestamp]),
    endTimeUnixNano: unixNanos(span[fields.span.endTimestamp]),
    attributes: attributesUnder(span, 'Attributes.'),
    events: eventsOf(span),
    links: linksOf(span),
    status: {
      code: STATUS_CODES[typeof status === 'number' ? status : 0] ?? 'STATUS_CODE_UNSET',
      message: typeof message === 'string' ? message : '',
    },
  };
}

const SCOPE_PREFIX = 'Scope.';
const scopeOf = (span: StoredSpan) => ({
  name: typeof span['Scope.name'] === 'string' ? span['Scope.name'] : '',
  version: typeof span['Scope.version'] === 'string' ? span['Scope.version'] : '',
  attributes: attributesUnder(span, SCOPE_PREFIX, (key) => key === 'name' || key === 'version'),
});

/** Spans (of one trace, or any) as TracesData, grouped by resource and scope as they came in. */
export function toTracesData(spans: readonly StoredSpan[]): OtlpTracesData {
  const resources = new Map<string, OtlpTracesData['resourceSpans'][number]>();
  for (const span of spans) {
    const resource = attributesUnder(span, 'Resource.');
    const resourceKey = JSON.stringify(resource);
    let group = resources.get(resourceKey);
    if (!group) {
      group = { resource: { attributes: resource }, scopeSpans: [] };
      resources.set(resourceKey, group);
    }
    const scope = scopeOf(span);
    const scopeKey = JSON.stringify(scope);
    let scoped = group.scopeSpans.find((s) => JSON.stringify(s.scope) === scopeKey);
    if (!scoped) {
      scoped = { scope, spans: [] };
      group.scopeSpans.push(scoped);
    }
    scoped.spans.push(otlpSpan(span));
  }
  return { resourceSpans: [...resources.values()] };
}
