/** A ranked value as the differences endpoint lists it. */
export interface RankedValue {
  readonly key: string;
  readonly value: string;
  /** Other `key=value`s that pick exactly the same requests, folded into this row. */
  readonly sameAs: readonly string[];
}

/**
 * The 1-based rank of the row that names `cause` (`key=value`), itself or among the values
 * folded into it; undefined when no row does.
 */
export function causeRank(ranked: readonly RankedValue[], cause: string): number | undefined {
  const at = ranked.findIndex((d) => `${d.key}=${d.value}` === cause || d.sameAs.includes(cause));
  return at === -1 ? undefined : at + 1;
}
