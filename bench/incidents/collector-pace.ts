/**
 * Sending a labelled scenario through the real Collector without losing traces to it: no faster
 * than its tail_sampling decides them, and a count of the traces it dropped undecided.
 */
import { stack } from '../../tools/harness/otlp.ts';

/**
 * How fast a scenario's traces are sent. The Collector's tail_sampling holds each trace until
 * it decides it, a second or two after its root span arrives, and at most num_traces (50,000) at
 * once: sent faster, it dropped the oldest undecided ones, 27% of the alert scenario's traces,
 * whole stretches of a service's minutes among them (the p95 regression's first half hour).
 */
const TRACES_PER_SECOND = 5000;
const DROPPED_TOO_EARLY =
  /^otelcol_processor_tail_sampling_sampling_trace_dropped_too_early(?:\{[^}]*\})? (\S+)$/gm;

/** Traces the Collector's tail_sampling dropped before deciding them, since it started. */
export async function droppedTooEarly(): Promise<number> {
  const metrics = await (await fetch(stack.collectorMetrics)).text();
  return [...metrics.matchAll(DROPPED_TOO_EARLY)].reduce((sum, m) => sum + Number(m[1]), 0);
}

/** A batch of whole traces, and how to send it. */
export interface TraceBatch {
  readonly traces: number;
  readonly send: () => Promise<void>;
}

/**
 * Sends the batches four at a time (the Collector's memory limiter refuses more than it can
 * hold), and no faster than its tail sampling decides them.
 */
export async function sendPaced(batches: readonly TraceBatch[]): Promise<void> {
  for (let i = 0; i < batches.length; i += 4) {
    const round = batches.slice(i, i + 4);
    const started = performance.now();
    await Promise.all(round.map((b) => b.send()));
    const traces = round.reduce((sum, b) => sum + b.traces, 0);
    const wait = (traces / TRACES_PER_SECOND) * 1000 - (performance.now() - started);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
