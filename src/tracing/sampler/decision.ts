import { traceRandomness } from './randomness.ts';

export type DecisionReason = 'error' | 'slow' | 'probabilistic';

export interface Decision {
  readonly keep: boolean;
  readonly reason: DecisionReason;
  /** Spans each kept span stands for. */
  readonly weight: number;
}

export interface TraceFacts {
  readonly traceId: string;
  readonly hasError: boolean;
  /** Longest local root duration seen, in ms. */
  readonly rootDurationMs: number;
  /** Keep probability for a candidate trace (from tracestate, else 1). */
  readonly probability: number;
}

/**
 * Errors and slow traces are always kept (weight 1); any other trace is kept when its trace-id
 * randomness falls under its probability, so every service decides it alike.
 */
export function decide(facts: TraceFacts, latencyThresholdMs: number): Decision {
  if (facts.hasError) return { keep: true, reason: 'error', weight: 1 };
  if (facts.rootDurationMs >= latencyThresholdMs) return { keep: true, reason: 'slow', weight: 1 };
  const keep = traceRandomness(facts.traceId) < facts.probability;
  return { keep, reason: 'probabilistic', weight: 1 / facts.probability };
}
