import type { Span } from '../../contracts/api/telemetry.ts';

/** What the trace view's span search asks for; empty fields ask for nothing. */
export interface SpanQuery {
  /** Words separated by spaces, all to match: `key=value` an attribute, others any text. */
  readonly text: string;
  /** One service, or '' for any. */
  readonly service: string;
}

const stringOf = (value: unknown): string =>
  typeof value === 'string' ? value : JSON.stringify(value);

/** A span's attributes and its resource's, the way a user names them (`http.route`). */
function* attributesOf(span: Span): Generator<[string, string]> {
  for (const [key, value] of Object.entries(span.attributes)) yield [key, stringOf(value)];
  for (const [key, value] of Object.entries(span.resource)) yield [key, stringOf(value)];
}

/**
 * Whether a span matches: every `key=value` word names an attribute (of the span or its
 * resource) with exactly that value, every other word occurs (ignoring case) in its name, its
 * service or one of its attribute values, and the service, when chosen, is the span's.
 */
export function spanMatches(span: Span, query: SpanQuery): boolean {
  if (query.service !== '' && span.service !== query.service) return false;
  for (const word of query.text.trim().split(/\s+/)) {
    if (word === '') continue;
    const equals = word.indexOf('=');
    if (equals > 0) {
      const key = word.slice(0, equals);
      const value = word.slice(equals + 1);
      if (![...attributesOf(span)].some(([k, v]) => k === key && v === value)) return false;
      continue;
    }
    const needle = word.toLowerCase();
    const texts = [span.name, span.service ?? '', ...[...attributesOf(span)].map(([, v]) => v)];
    if (!texts.some((text) => text.toLowerCase().includes(needle))) return false;
  }
  return true;
}

/** Whether the query asks for anything (an empty one matches every span and marks none). */
export const isEmptyQuery = (query: SpanQuery): boolean =>
  query.text.trim() === '' && query.service === '';

/** The ids of the spans that match a query that asks for something. */
export function matchingSpans(spans: readonly Span[], query: SpanQuery): Set<string> {
  if (isEmptyQuery(query)) return new Set();
  return new Set(spans.filter((s) => spanMatches(s, query)).map((s) => s.spanId));
}
