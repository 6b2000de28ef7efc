import { metrics } from '@opentelemetry/api';
import type { DecisionReason } from './decision.ts';
import type { SamplerMonitor, TailSamplingProcessor } from './tail-processor.ts';

/**
 * Exports the sampler's decisions as metrics: `lantern.sampler.traces` counts decided traces by
 * decision, reason and whether a cap or timeout forced the decision; `lantern.sampler.held.*`
 * gauge what is buffered. Decisions are tallied in plain numbers and read by the meter only
 * when it collects, so a decision costs no metric call. Instruments are created by `observe`,
 * once the SDK's meter provider is registered (a meter taken before that is a no-op for good).
 */
export function meteredMonitor(): SamplerMonitor & {
  observe(processor: TailSamplingProcessor): void;
} {
  const reasons: readonly DecisionReason[] = ['error', 'slow', 'probabilistic'];
  // One tally per reason × kept × early, at the slot this function gives it.
  const slot = (reason: DecisionReason, kept: boolean, early: boolean): number =>
    reasons.indexOf(reason) * 4 + (kept ? 0 : 2) + (early ? 0 : 1);
  const tallies: { attributes: Record<string, string | boolean>; count: number }[] = [];
  for (const reason of reasons)
    for (const kept of [true, false])
      for (const early of [true, false])
        tallies[slot(reason, kept, early)] = {
          attributes: { decision: kept ? 'kept' : 'dropped', reason, early },
          count: 0,
        };
  return {
    decided(decision, early) {
      const tally = tallies[slot(decision.reason, decision.keep, early)];
      if (tally) tally.count += 1;
    },
    observe(processor) {
      const meter = metrics.getMeter('lantern-sampler');
      meter
        .createObservableCounter('lantern.sampler.traces', {
          description: 'Traces decided by the adaptive tail sampler',
        })
        .addCallback((result) => {
          for (const { attributes, count } of tallies)
            if (count > 0) result.observe(count, attributes);
        });
      meter
        .createObservableGauge('lantern.sampler.held.traces', {
          description: 'Traces awaiting a decision',
        })
        .addCallback((result) => {
          result.observe(processor.held.traces);
        });
      meter
        .createObservableGauge('lantern.sampler.held.spans', {
          description: 'Spans awaiting a decision',
        })
        .addCallback((result) => {
          result.observe(processor.held.spans);
        });
    },
  };
}
