/**
 * How many of each server a profile runs. The default profile is one of each; the scaled one
 * (LANTERN_SCALE, `stack:up -- --scale`) runs the same servers several times, each instance on
 * its role's ports moved by its own offset, so one set of port variables describes them all.
 */
export interface Instance {
  /** Its name in `stack:status`, its pid file and its log file. */
  readonly name: string;
  /** Added to each port of its role. */
  readonly offset: number;
}

/** What the topology depends on: only whether the profile is the scaled one. */
interface ProfileSettings {
  readonly LANTERN_SCALE: boolean;
}

/** single: the whole pipeline; gateway: routes traces by id; sampling: tail-samples them. */
export type CollectorTier = 'single' | 'gateway' | 'sampling';

export interface CollectorInstance extends Instance {
  readonly tier: CollectorTier;
}

/** A cluster smaller than three cannot lose a node and keep a master. */
export const SCALED_ES_NODES = 3;

const numbered = (role: string, count: number, step: number): Instance[] =>
  Array.from({ length: count }, (_, i) => ({ name: `${role}-${String(i + 1)}`, offset: i * step }));

/** The Elasticsearch nodes: one, or a cluster of SCALED_ES_NODES on consecutive ports. */
export function elasticsearchNodes(s: ProfileSettings): readonly Instance[] {
  return s.LANTERN_SCALE
    ? numbered('elasticsearch', SCALED_ES_NODES, 1)
    : [{ name: 'elasticsearch', offset: 0 }];
}

/**
 * The Collectors: one, or two gateways in front of two tail-sampling Collectors. Every
 * Collector port of an instance is moved by 10 per instance.
 */
export function collectorInstances(s: ProfileSettings): readonly CollectorInstance[] {
  if (!s.LANTERN_SCALE) return [{ name: 'collector', offset: 0, tier: 'single' }];
  return [
    ...numbered('collector-gateway', 2, 10).map((i) => ({ ...i, tier: 'gateway' as const })),
    ...numbered('collector-sampling', 2, 10).map((i) => ({
      ...i,
      offset: i.offset + 20,
      tier: 'sampling' as const,
    })),
  ];
}

/** The Collectors of one tier. */
export const collectorsOfTier = (
  s: ProfileSettings,
  tier: CollectorTier,
): readonly CollectorInstance[] =>
  collectorInstances(s).filter((instance) => instance.tier === tier);

/** Analysis services the stack itself runs: none by default (`npm start` runs one), or two. */
export function analysisReplicas(s: ProfileSettings): readonly Instance[] {
  return s.LANTERN_SCALE ? numbered('analysis', 2, 1) : [];
}
