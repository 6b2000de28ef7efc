import type { Client, estypes } from '@elastic/elasticsearch';
import { fields } from '../../contracts/fields.ts';
import { indices } from '../../contracts/indices.ts';
import type { TimeRange } from '../../contracts/time-range.ts';
import type { VersionBucket } from '../../contracts/version-buckets.ts';
import { lenient, weightSum } from './search-options.ts';
import { rangeFilter, timeBuckets } from './time-range.ts';

/*
 * `Resource.service.version` is a searchable keyword without doc values (templates.ts: resource
 * attributes are found by exact value, never aggregated), so no terms aggregation can list a
 * service's versions, and adding doc values would reach only the next daily index. Both reads
 * below use the field's index instead: versions are found one at a time as the earliest span
 * whose version is none of those found yet (a search sorted on @timestamp, which has doc
 * values), and their weights per time bucket come from a `filters` aggregation of term
 * queries, one per version.
 */

/** At most this many versions of one service in one range are looked for. */
export const MAX_VERSIONS = 50;

/** A version a service's spans carry, and when its first span in the range started. */
export interface VersionSeen {
  readonly version: string;
  readonly firstSeen: number;
}

const ofService = (service: string, range: TimeRange): estypes.QueryDslQueryContainer[] => [
  { term: { [fields.serviceName]: service } },
  rangeFilter(fields.timestamp, range),
];

/**
 * The earliest span (the latest, `desc`) of the service in the range matching `query`: its
 * start and version.
 */
async function earliestSpan(
  client: Client,
  service: string,
  range: TimeRange,
  query: estypes.QueryDslBoolQuery,
  order: 'asc' | 'desc' = 'asc',
): Promise<{ at: number; version: string | undefined } | undefined> {
  const result = await client.search({
    index: indices.spans.pattern,
    size: 1,
    ...lenient,
    track_total_hits: false,
    _source: false,
    fields: [fields.serviceVersion],
    query: { bool: { ...query, filter: [...ofService(service, range), ...asArray(query.filter)] } },
    sort: [{ [fields.timestamp]: { order, format: 'strict_date_optional_time_nanos' } }],
  });
  const hit = result.hits.hits[0];
  if (!hit) return undefined;
  const version = (hit.fields?.[fields.serviceVersion] as unknown[] | undefined)?.[0];
  return {
    at: Date.parse(String(hit.sort?.[0])),
    version: typeof version === 'string' ? version : undefined,
  };
}

const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/**
 * The versions one service's spans carry in the range, in order of their first span (at most
 * {@link MAX_VERSIONS}), and whether it has spans there at all: one search per version, and one
 * more.
 */
export async function serviceVersions(
  client: Client,
  service: string,
  range: TimeRange,
): Promise<{ hasSpans: boolean; versions: VersionSeen[] }> {
  const versions: VersionSeen[] = [];
  while (versions.length < MAX_VERSIONS) {
    const next = await earliestSpan(client, service, range, {
      filter: [{ exists: { field: fields.serviceVersion } }],
      must_not: [{ terms: { [fields.serviceVersion]: versions.map((v) => v.version) } }],
    });
    if (next?.version === undefined) break;
    versions.push({ version: next.version, firstSeen: next.at });
  }
  const hasSpans =
    versions.length > 0 || (await earliestSpan(client, service, range, {})) !== undefined;
  return { hasSpans, versions };
}

/** The first span of one version of the service in the range: when it started. */
export async function firstSpanOf(
  client: Client,
  service: string,
  version: string,
  range: TimeRange,
): Promise<number | undefined> {
  const found = await earliestSpan(client, service, range, {
    filter: [{ term: { [fields.serviceVersion]: version } }],
  });
  return found?.at;
}

/**
 * The summed sampling weight of each version's spans (spans without a weight count 1) per time
 * bucket, empty buckets included, in `versions` order.
 */
export async function versionWeights(
  client: Client,
  service: string,
  versions: readonly string[],
  range: TimeRange,
  intervalMs: number,
): Promise<VersionBucket[]> {
  if (versions.length === 0) return [];
  const result = await client.search({
    index: indices.spans.pattern,
    size: 0,
    ...lenient,
    query: { bool: { filter: ofService(service, range) } },
    aggs: {
      over_time: {
        ...timeBuckets(range, intervalMs),
        aggs: {
          versions: {
            filters: {
              filters: versions.map((version) => ({
                term: { [fields.serviceVersion]: version },
              })),
            },
            aggs: { weight: weightSum },
          },
        },
      },
    },
  });
  const overTime = result.aggregations?.over_time as
    | {
        buckets: { key: number; versions: { buckets: { weight: { value: number } }[] } }[];
      }
    | undefined;
  return (overTime?.buckets ?? []).map((bucket) => ({
    start: bucket.key,
    weights: bucket.versions.buckets.map((b) => b.weight.value),
  }));
}

/**
 * The first span in the range of a version none of `versions`: when the version after them
 * started (undefined when none did).
 */
export async function firstSpanBesides(
  client: Client,
  service: string,
  versions: readonly string[],
  range: TimeRange,
): Promise<number | undefined> {
  const found = await earliestSpan(client, service, range, {
    filter: [{ exists: { field: fields.serviceVersion } }],
    must_not: [{ terms: { [fields.serviceVersion]: [...versions] } }],
  });
  return found?.at;
}

/**
 * The version the service's spans carried last in the range, other than `version`: what a
 * deploy of `version` replaced. Undefined when no span in the range carries another.
 */
export async function versionBefore(
  client: Client,
  service: string,
  version: string,
  range: TimeRange,
): Promise<string | undefined> {
  const found = await earliestSpan(
    client,
    service,
    range,
    {
      filter: [{ exists: { field: fields.serviceVersion } }],
      must_not: [{ term: { [fields.serviceVersion]: version } }],
    },
    'desc',
  );
  return found?.version;
}

/**
 * The services whose spans in the range carry more than one version: the first and the last
 * versioned span differ (a deploy happened in it, or a rollout is under way). One search: per
 * service, its earliest and latest versioned span, read with their versions (top hits read the
 * field from _source, which needs no doc values). A deploy and its rollback within the range
 * show the same version at both ends and are not listed.
 */
export async function servicesChangingVersion(
  client: Client,
  range: TimeRange,
  service?: string,
  limit = 1000,
): Promise<string[]> {
  const edge = (order: 'asc' | 'desc') => ({
    top_hits: {
      size: 1,
      _source: false,
      fields: [fields.serviceVersion],
      sort: [{ [fields.timestamp]: { order } }],
    },
  });
  const filter: estypes.QueryDslQueryContainer[] = [
    { exists: { field: fields.serviceVersion } },
    rangeFilter(fields.timestamp, range),
  ];
  if (service !== undefined) filter.push({ term: { [fields.serviceName]: service } });
  const result = await client.search({
    index: indices.spans.pattern,
    size: 0,
    ...lenient,
    query: { bool: { filter } },
    aggs: {
      services: {
        terms: { field: fields.serviceName, size: limit },
        aggs: { first: edge('asc'), last: edge('desc') },
      },
    },
  });
  type Edge = { hits: { hits: { fields?: Record<string, unknown[]> }[] } };
  const versionOf = (hits: Edge): unknown =>
    hits.hits.hits[0]?.fields?.[fields.serviceVersion]?.[0];
  const services = result.aggregations?.services as
    { buckets?: { key: string; first: Edge; last: Edge }[] } | undefined;
  return (services?.buckets ?? [])
    .filter((bucket) => versionOf(bucket.first) !== versionOf(bucket.last))
    .map((bucket) => bucket.key);
}
