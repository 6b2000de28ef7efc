/**
 * One time bucket of one service's spans: the summed sampling weight of each version's spans
 * (`service.version`), in the order of the versions it was read for. What the span store reads
 * and deploy detection (analysis/version-changes.ts) works from.
 */
export interface VersionBucket {
  readonly start: number;
  readonly weights: readonly number[];
}
