import type { VersionBucket } from '../contracts/version-buckets.ts';

/**
 * Deploys found in the data: when the version a service's spans carry (`service.version`)
 * changes. Pure: from the weight of each version's spans per time bucket.
 */

/** A version taking over from another. */
export interface VersionChange {
  readonly version: string;
  readonly previousVersion: string;
  /** Start of the first bucket of the new version's unbroken run up to taking over. */
  readonly since: number;
  /** Start of the bucket in which it took over. */
  readonly takenOverAt: number;
}

/**
 * The share of a bucket's versioned weight a version must carry to take over from the one in
 * place. More than half would flip back and forth on every bucket of a steady 50/50 split (an
 * A/B test, a long canary); two thirds is crossed once by a rollout, however slow.
 */
export const TAKEOVER_SHARE = 2 / 3;

/**
 * Each time a version takes over a service: carries at least {@link TAKEOVER_SHARE} of the
 * weight of a bucket while another version was in place. The first version seen is in place
 * from the start (no deploy); a bucket with no versioned spans changes nothing and breaks no
 * run (an idle minute is not an absence); a return to an earlier version is a deploy too (a
 * rollback). A version that never takes over (a canary stopped) is no deploy.
 */
export function versionChanges(
  versions: readonly string[],
  buckets: readonly VersionBucket[],
): VersionChange[] {
  const changes: VersionChange[] = [];
  const runStart: (number | undefined)[] = versions.map(() => undefined);
  let current: number | undefined;
  for (const bucket of buckets) {
    const total = bucket.weights.reduce((sum, weight) => sum + weight, 0);
    if (total <= 0) continue;
    bucket.weights.forEach((weight, i) => {
      runStart[i] = weight > 0 ? (runStart[i] ?? bucket.start) : undefined;
    });
    const leader = largest(bucket.weights);
    if (current === undefined) {
      current = leader;
      continue;
    }
    if (leader === current || (bucket.weights[leader] ?? 0) < TAKEOVER_SHARE * total) continue;
    changes.push({
      version: versions[leader] ?? '',
      previousVersion: versions[current] ?? '',
      since: runStart[leader] ?? bucket.start,
      takenOverAt: bucket.start,
    });
    current = leader;
  }
  return changes;
}

/** The index of the largest weight, the first among equals. */
function largest(weights: readonly number[]): number {
  let best = 0;
  weights.forEach((weight, i) => {
    if (weight > (weights[best] ?? 0)) best = i;
  });
  return best;
}
