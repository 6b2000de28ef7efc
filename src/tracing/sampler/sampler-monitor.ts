import { metrics, type Counter } from '@opentelemetry/api';
import type { SamplerMonitor, TailSamplingProcessor } from './tail-processor.ts';

/**
 * Exports the sampler's decisions as metrics: `lantern.sampler.traces` counts decided traces by
 * decision, reason and whether a cap or timeout forced the decision; `lantern.sampler.held.*`
 * gauge what is buffered. Instruments are created by `observe`, once the SDK's meter provider is
 * registered (a meter taken before that is a no-op for good).
 */
export function meteredMonitor(): SamplerMonitor & {
  observe(processor: TailSamplingProcessor): void;
} {
  let traces: Counter | undefined;
  return {
    decided(decision, early) {
      traces?.add(1, {
        decision: decision.keep ? 'kept' : 'dropped',
        reason: decision.reason,
        early,
      });
    },
    observe(processor) {
      const meter = metrics.getMeter('lantern-sampler');
      traces = meter.createCounter('lantern.sampler.traces', {
        description: 'Traces decided by the adaptive tail sampler',
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
