import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { HTTP_STATUS_ATTRIBUTES, isFailedRequest } from '../../contracts/failed-request.ts';

/** A server span that is a failed request, by the one definition error rates count. */
export function isFailedRequestSpan(span: ReadableSpan): boolean {
  if (span.kind !== SpanKind.SERVER) return false;
  let status: unknown;
  for (const name of HTTP_STATUS_ATTRIBUTES) {
    status = span.attributes[name];
    if (status !== undefined) break;
  }
  return isFailedRequest({
    statusIsError: span.status.code === SpanStatusCode.ERROR,
    httpStatus: status === undefined ? undefined : Number(status),
  });
}

/**
 * A span that makes its trace an error trace, kept 100%: broader than a failed request, so
 * every failed request's trace is among them. Status ERROR on any span, an exception event, or
 * a failed request.
 */
export function isErrorSpan(span: ReadableSpan): boolean {
  if (span.status.code === SpanStatusCode.ERROR) return true;
  for (const event of span.events) if (event.name === 'exception') return true;
  return isFailedRequestSpan(span);
}
