/** Total sampling weight of spans whose duration falls in [fromMs, toMs). */
export interface LatencyBucket {
  readonly fromMs: number;
  readonly toMs: number;
  readonly weight: number;
}

/** Geometric bucket edges (ms) from `min` to `max`, each `ratio` wider than the last. */
export function geometricEdges(min: number, max: number, ratio: number): number[] {
  const edges: number[] = [];
  for (let edge = min; edge < max; edge *= ratio) edges.push(edge);
  edges.push(max);
  return edges;
}
