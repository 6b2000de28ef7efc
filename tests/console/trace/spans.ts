import type { Span } from '../../../src/contracts/api/telemetry.ts';

export const T0 = Date.parse('2026-12-08T00:00:00Z');
/** A span from `start` to `end` ms after T0, its id its name. */
export function span(
  name: string,
  parent: string | null,
  start: number,
  end: number,
  service = 'a',
): Span {
  return {
    spanId: name.padEnd(16, '0'),
    parentSpanId: parent === null ? null : parent.padEnd(16, '0'),
    service,
    name,
    kind: 'SPAN_KIND_INTERNAL',
    startedAt: new Date(T0 + start).toISOString(),
    durationMs: end - start,
    status: 0,
    statusMessage: null,
    weight: 1,
    attributes: {},
    resource: {},
    events: {},
  };
}
