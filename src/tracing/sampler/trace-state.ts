import type { TraceState as ApiTraceState } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';

/**
 * The entry service's sampling probability travels to downstream services in the W3C
 * `tracestate` header under this key (`lantern=p:0.125`), so that every service decides a
 * non-error trace with the same probability and the same trace-id randomness.
 */
export const TRACE_STATE_KEY = 'lantern';

export function withProbability(
  state: ApiTraceState | undefined,
  probability: number,
): ApiTraceState {
  return (state ?? new TraceState()).set(TRACE_STATE_KEY, `p:${probability.toPrecision(6)}`);
}

/** The propagated probability, or undefined when absent or malformed. */
export function probabilityOf(state: ApiTraceState | undefined): number | undefined {
  const value = state?.get(TRACE_STATE_KEY);
  if (!value?.startsWith('p:')) return undefined;
  const probability = Number(value.slice(2));
  return probability > 0 && probability <= 1 ? probability : undefined;
}
