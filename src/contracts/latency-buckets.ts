/** The spans whose duration falls in [fromMs, toMs): how many are stored, and their total weight. */
export interface LatencyBucket {
  readonly fromMs: number;
  readonly toMs: number;
  /** Stored spans. */
  readonly spans: number;
  /** Requests they stand for (sum of sampling weights). */
  readonly weight: number;
}

/** Geometric bucket edges (ms) from `min` to `max`, each `ratio` wider than the last. */
export function geometricEdges(min: number, max: number, ratio: number): number[] {
  const edges: number[] = [];
  for (let edge = min; edge < max; edge *= ratio) edges.push(edge);
  edges.push(max);
  return edges;
}
