import { metrics } from '@opentelemetry/api';
import type { SamplerMonitor, TailSamplingProcessor } from './tail-processor.ts';

/**
 * Exports the sampler's decisions as metrics: `lantern.sampler.traces` counts decided traces by
 * decision, reason and whether a cap or timeout forced the decision; `lantern.sampler.held.*`
 * gauge what is buffered.
 */
export function meteredMonitor(): SamplerMonitor & {
  observe(processor: TailSamplingProcessor): void;
} {
  const meter = metrics.getMeter('lantern-sampler');
  const traces = meter.createCounter('lantern.sampler.traces', {
    description: 'Traces decided by the adaptive tail sampler',
  });
  return {
    decided(decision, early) {
      traces.add(1, {
        decision: decision.keep ? 'kept' : 'dropped',
        reason: decision.reason,
        early,
      });
    },
    observe(processor) {
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
