import { geometricEdges, type LatencyBucket } from '../../src/contracts/latency-buckets.ts';

/** Buckets a list of (duration ms, weight) samples the way the range aggregation does. */
export function histogram(
  samples: readonly (readonly [number, number])[],
  ratio: number,
): LatencyBucket[] {
  const edges = geometricEdges(0.05, 600_000, ratio);
  return edges.slice(1).map((toMs, i) => {
    const fromMs = edges[i] ?? 0;
    const inside = samples.filter(([d]) => d >= fromMs && d < toMs);
    const weight = inside.reduce((sum, [, w]) => sum + w, 0);
    return { fromMs, toMs, spans: inside.length, weight };
  });
}
