import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';

/** A span that makes its trace an error trace: status ERROR, an exception, or HTTP >= 500. */
export function isErrorSpan(span: ReadableSpan): boolean {
  if (span.status.code === SpanStatusCode.ERROR) return true;
  if (span.events.some((event) => event.name === 'exception')) return true;
  if (span.kind !== SpanKind.SERVER) return false;
  const status =
    span.attributes['http.response.status_code'] ?? span.attributes['http.status_code'];
  return Number(status) >= 500;
}
