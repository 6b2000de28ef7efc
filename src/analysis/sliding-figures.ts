import type { LogStats } from '../contracts/log-stats.ts';
import type { RequestStats } from '../contracts/request-stats.ts';
import type { TimeRange } from '../contracts/time-range.ts';

/** Every service's request and log figures over one range: what GET /api/v1/services sums. */
export interface ServiceFigures {
  readonly requests: readonly RequestStats[];
  readonly logs: readonly LogStats[];
}

export interface SlidingFiguresSource {
  /** The figures of a range, read from Elasticsearch. */
  readonly read: (range: TimeRange) => Promise<ServiceFigures>;
  /** How many documents the range holds (cheap: a count on the time field). */
  readonly count: (range: TimeRange) => Promise<number>;
  readonly now: () => number;
}

/** Data younger than this may still arrive (batches, tail sampling): never kept in a base. */
const SETTLE_MS = 2 * 60_000;
/** A base is rebuilt once the window has moved this share of its length past it. */
const MAX_DRIFT = 1 / 12;
/** One per preset range of the console (15m, 1h, 6h, 24h); a base of 1,000 services is ~40 MB. */
const MAX_BASES = 4;

interface Base {
  readonly range: TimeRange;
  readonly figures: ServiceFigures;
  readonly documents: number;
}

/**
 * Figures of a sliding window (the overview asks for the last 24 h every 10 s) without reading
 * the whole window each time. Counts, weights and latency-bucket weights are sums, so a window
 * is a stored base range, minus the part the window has left behind, plus what came after it:
 * two small reads instead of one over millions of documents. Before a base is used, the
 * documents in its range are counted again; any change (late data, a deleted index) makes it
 * read anew, so the answer is what a full read would give. The newest two minutes are never in
 * a base, since they may still be arriving. Written here because Elasticsearch has no
 * incremental aggregation for this.
 */
export class SlidingFigures {
  private readonly source: SlidingFiguresSource;
  /** By window length: each client range (15m, 1h, 24h) slides on its own base. */
  private readonly bases = new Map<number, Base>();

  constructor(source: SlidingFiguresSource) {
    this.source = source;
  }

  async figures(range: TimeRange): Promise<ServiceFigures> {
    const length = range.to - range.from;
    const base = this.bases.get(length);
    if (
      base &&
      this.usable(base, range) &&
      (await this.source.count(base.range)) === base.documents
    ) {
      const [left, after] = await Promise.all([
        this.source.read({ from: base.range.from, to: range.from }),
        this.source.read({ from: base.range.to, to: range.to }),
      ]);
      return add(subtract(base.figures, left), after);
    }
    return this.rebase(range);
  }

  private usable(base: Base, range: TimeRange): boolean {
    const drift = MAX_DRIFT * (range.to - range.from);
    return (
      range.from >= base.range.from &&
      range.to >= base.range.to &&
      range.from - base.range.from <= drift &&
      range.to - base.range.to <= drift + SETTLE_MS
    );
  }

  /** Reads the window whole; what is settled of it becomes the base for the next requests. */
  private async rebase(range: TimeRange): Promise<ServiceFigures> {
    const settled = Math.min(range.to, this.source.now() - SETTLE_MS);
    if (settled <= range.from) return this.source.read(range);
    const baseRange = { from: range.from, to: settled };
    // Counted first: a document arriving during the read makes the base look changed (read
    // again next time), never unchanged with the document missing.
    const documents = await this.source.count(baseRange);
    const [figures, after] = await Promise.all([
      this.source.read(baseRange),
      this.source.read({ from: settled, to: range.to }),
    ]);
    this.bases.delete(range.to - range.from);
    this.bases.set(range.to - range.from, { range: baseRange, figures, documents });
    while (this.bases.size > MAX_BASES) {
      const oldest = this.bases.keys().next().value;
      if (oldest === undefined) break;
      this.bases.delete(oldest);
    }
    return add(figures, after);
  }
}

/** Below this a difference of sums is rounding, not weight. */
const EPSILON = 1e-9;
const clean = (value: number): number => (Math.abs(value) < EPSILON ? 0 : value);

/** The earlier of two: a sum's earliest record. A difference's is unknown (null). */
const earliestOf = (a: number | null | undefined, b: number | null, sign: 1 | -1): number | null =>
  sign < 0 ? null : a == null ? b : b === null ? a : Math.min(a, b);

function combine(a: ServiceFigures, b: ServiceFigures, sign: 1 | -1): ServiceFigures {
  const requests = new Map(a.requests.map((r) => [r.key, r]));
  for (const r of b.requests) {
    const was = requests.get(r.key);
    requests.set(r.key, {
      key: r.key,
      spans: (was?.spans ?? 0) + sign * r.spans,
      requests: clean((was?.requests ?? 0) + sign * r.requests),
      errors: clean((was?.errors ?? 0) + sign * r.errors),
      weightSquares: clean((was?.weightSquares ?? 0) + sign * r.weightSquares),
      errorWeightSquares: clean((was?.errorWeightSquares ?? 0) + sign * r.errorWeightSquares),
      since: earliestOf(was?.since, r.since, sign),
      slow: clean((was?.slow ?? 0) + sign * r.slow),
      latency: r.latency.map((bucket, i) => {
        const other = was?.latency[i];
        return {
          ...bucket,
          spans: (other?.spans ?? 0) + sign * bucket.spans,
          weight: clean((other?.weight ?? 0) + sign * bucket.weight),
        };
      }),
    });
  }
  const logs = new Map(a.logs.map((l) => [l.key, l]));
  for (const l of b.logs) {
    const was = logs.get(l.key);
    logs.set(l.key, {
      key: l.key,
      logs: (was?.logs ?? 0) + sign * l.logs,
      errors: (was?.errors ?? 0) + sign * l.errors,
      since: earliestOf(was?.since, l.since, sign),
    });
  }
  return {
    requests: [...requests.values()].filter((r) => r.spans > 0),
    logs: [...logs.values()].filter((l) => l.logs > 0),
  };
}

const add = (a: ServiceFigures, b: ServiceFigures): ServiceFigures => combine(a, b, 1);
const subtract = (a: ServiceFigures, b: ServiceFigures): ServiceFigures => combine(a, b, -1);
