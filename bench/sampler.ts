/**
 * The adaptive sampler alone, on a simulated clock: achieved vs target kept rate at 0.5×, 1×,
 * 2× and 10× the target, the settling time after traffic steps from 1× to 10×, and a cold start
 * (a new service at 20× the target: what its first second and first 30 s keep).
 * Control: the offered rate (min(offered, target) is what a perfect sampler keeps).
 *   npm run bench -- sampler
 */
import { decide } from '../src/tracing/sampler/decision.ts';
import { RateAllocator } from '../src/tracing/sampler/rate-allocator.ts';
import { newTraceId } from '../tools/harness/trace-ids.ts';
import { median, range } from './stats.ts';

const TARGET = 10;
const KEY = 'GET /checkout/:id';

function simulate(
  allocator: RateAllocator,
  clock: { now: number },
  rate: number,
  seconds: number,
): number[] {
  const keptPerSecond: number[] = [];
  for (let second = 0; second < seconds; second += 1) {
    let kept = 0;
    for (let i = 0; i < rate; i += 1) {
      clock.now += 1000 / rate;
      const probability = allocator.probability(KEY);
      const traceId = newTraceId();
      if (decide({ traceId, hasError: false, rootDurationMs: 5, probability }, 1000).keep)
        kept += 1;
      allocator.record(KEY);
    }
    keptPerSecond.push(kept);
  }
  return keptPerSecond;
}

const newAllocator = (clock: { now: number }) =>
  new RateAllocator({
    targetPerSecond: TARGET,
    intervalMs: 1000,
    smoothing: 0.5,
    maxKeys: 500,
    now: () => clock.now,
  });

export function sampler(): string {
  const lines = [
    `### Adaptive sampler (target ${TARGET} traces/s, simulated clock, 5 runs × 60 s after 10 s settling)`,
    '',
    '| offered | kept/s (median, min–max) | achieved ÷ min(offered, target) |',
    '| --- | --- | --- |',
  ];
  for (const multiple of [0.5, 1, 2, 10]) {
    const offered = TARGET * multiple;
    const runs: number[] = [];
    for (let run = 0; run < 5; run += 1) {
      const clock = { now: 0 };
      const allocator = newAllocator(clock);
      simulate(allocator, clock, offered, 10);
      const kept = simulate(allocator, clock, offered, 60);
      runs.push(kept.reduce((a, b) => a + b, 0) / kept.length);
    }
    lines.push(
      `| ${multiple}× (${offered}/s) | ${median(runs).toFixed(2)} (${range(runs)}) | ${(median(runs) / Math.min(offered, TARGET)).toFixed(3)} |`,
    );
  }
  // Settling: seconds after a step from 1× to 10× until the keep probability is, and stays,
  // within ±10% of the ideal target ÷ offered.
  const settling: number[] = [];
  for (let run = 0; run < 5; run += 1) {
    const clock = { now: 0 };
    const allocator = newAllocator(clock);
    simulate(allocator, clock, TARGET, 20);
    const ideal = TARGET / (TARGET * 10);
    const probabilities: number[] = [];
    for (let second = 0; second < 30; second += 1) {
      simulate(allocator, clock, TARGET * 10, 1);
      probabilities.push(allocator.probability(KEY));
    }
    let settled = probabilities.length;
    for (let i = probabilities.length - 1; i >= 0; i -= 1) {
      if (Math.abs((probabilities[i] ?? 0) - ideal) > ideal * 0.1) break;
      settled = i + 1;
    }
    settling.push(settled);
  }
  lines.push(
    '',
    `Settling after a step from 1× to 10×: median ${median(settling)} s (runs: ${settling.join(', ')} s).`,
  );
  // Cold start: a fresh allocator (every key unknown) at 20× the target.
  const firstSecond: number[] = [];
  const firstHalfMinute: number[] = [];
  for (let run = 0; run < 5; run += 1) {
    const clock = { now: 0 };
    const kept = simulate(newAllocator(clock), clock, TARGET * 20, 30);
    firstSecond.push(kept[0] ?? 0);
    firstHalfMinute.push(kept.reduce((a, b) => a + b, 0));
  }
  lines.push(
    '',
    `Cold start at 20× the target: first second kept ${median(firstSecond)} (runs ${range(firstSecond)}; ` +
      `target ${TARGET}); first 30 s kept ${median(firstHalfMinute)} (runs ${range(firstHalfMinute)}; ` +
      `target × 30 s = ${TARGET * 30}, ratio ${(median(firstHalfMinute) / (TARGET * 30)).toFixed(3)}).`,
  );
  return lines.join('\n');
}
