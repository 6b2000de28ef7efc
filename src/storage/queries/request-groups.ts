import type { Client, estypes } from '@elastic/elasticsearch';
import { fields, SERVER_KIND } from '../../contracts/fields.ts';
import { indices } from '../../contracts/indices.ts';
import type { RequestSelection } from '../../contracts/request-selection.ts';
import type { TimeRange } from '../../contracts/time-range.ts';
import { failedRequest, lenient, weightSum } from './search-options.ts';
import { flat, type StoredSpan } from './stored-traces.ts';
import { boundsFilter, rangeFilter } from './time-range.ts';

type Query = estypes.QueryDslQueryContainer;

/** The requests compared: one service's, in a window, of one route if given. */
export interface RequestScope {
  readonly service: string;
  readonly range: TimeRange;
  readonly route?: string | undefined;
}

/** The selected requests, or the others of the scope. */
export type RequestGroup = 'selection' | 'baseline';

/** A stored field and a value of it, as a term query finds it. */
export interface FieldValue {
  readonly field: string;
  readonly value: string | number | boolean;
}

/** The attribute's field: a span's own, or its resource's when the span has none of that name. */
export const attributeFields = (key: string) => [`Attributes.${key}`, `Resource.${key}`] as const;

const selectionQuery = (s: RequestSelection): Query => {
  const must: Query[] = [];
  if (s.failed !== undefined)
    must.push(s.failed ? failedRequest : { bool: { must_not: [failedRequest] } });
  // Duration is in microseconds.
  const duration = boundsFilter(
    fields.span.duration,
    s.minMs === undefined ? undefined : Math.round(s.minMs * 1000),
    s.maxMs === undefined ? undefined : Math.round(s.maxMs * 1000),
  );
  if (duration) must.push(duration);
  const started = boundsFilter(
    fields.timestamp,
    s.startFrom === undefined ? undefined : new Date(s.startFrom).toISOString(),
    s.startTo === undefined ? undefined : new Date(s.startTo).toISOString(),
  );
  if (started) must.push(started);
  if (s.attribute) {
    const { key, value } = s.attribute;
    must.push({
      bool: {
        should: attributeFields(key).map((field) => ({ term: { [field]: value } })),
        minimum_should_match: 1,
      },
    });
  }
  return { bool: { filter: must } };
};

/** Every request of the scope. */
function scopeFilter(scope: RequestScope): Query[] {
  const filter: Query[] = [
    { term: { [fields.span.kind]: SERVER_KIND } },
    { term: { [fields.serviceName]: scope.service } },
    rangeFilter(fields.timestamp, scope.range),
  ];
  if (scope.route !== undefined) filter.push({ term: { [fields.span.httpRoute]: scope.route } });
  return filter;
}

/** The scope's requests of one group: the selection, or the rest. */
function groupQuery(scope: RequestScope, selection: RequestSelection, group: RequestGroup): Query {
  const filter = scopeFilter(scope);
  const selected = selectionQuery(selection);
  return group === 'selection'
    ? { bool: { filter: [...filter, selected] } }
    : { bool: { filter, must_not: [selected] } };
}

export interface GroupTotal {
  /** Stored spans, and the requests they stand for (sums of sampling weights). */
  readonly spans: number;
  readonly requests: number;
}

/** Both groups' stored spans, now; their exact totals, weights summed, when ready. */
export interface GroupSizes {
  /** What samples are sized by. */
  readonly spans: Readonly<Record<RequestGroup, number>>;
  readonly totals: Promise<Record<RequestGroup, GroupTotal>>;
}

/**
 * Both groups' sizes. The baseline's are the scope's less the selection's: counted directly,
 * its `must_not` of the selection is evaluated on every span of the scope, while the scope's
 * spans are counted from the index at once. Summing the scope's weights reads every span's doc
 * value, the longest search of a large scope: it runs while the caller samples.
 */
export async function groupSizes(
  client: Client,
  scope: RequestScope,
  selection: RequestSelection,
): Promise<GroupSizes> {
  const total = async (filter: Query[], counted: boolean, weighed: boolean) => {
    const result = await client.search({
      index: indices.spans.pattern,
      ...lenient,
      size: 0,
      track_total_hits: counted,
      query: { bool: { filter } },
      ...(weighed && { aggs: { requests: weightSum } }),
    });
    const hits = result.hits.total;
    return {
      spans: typeof hits === 'number' ? hits : (hits?.value ?? 0),
      requests: (result.aggregations?.requests as { value: number } | undefined)?.value ?? 0,
    };
  };
  const inScope = scopeFilter(scope);
  const scopeWeights = total(inScope, false, true);
  // Awaited later by the caller, or never when it gives up first: not an unhandled rejection.
  scopeWeights.catch(() => undefined);
  const [selected, all] = await Promise.all([
    total([groupQuery(scope, selection, 'selection')], true, true),
    total(inScope, true, false),
  ]);
  const baselineSpans = Math.max(0, all.spans - selected.spans);
  return {
    spans: { selection: selected.spans, baseline: baselineSpans },
    totals: scopeWeights.then(({ requests }) => ({
      selection: selected,
      baseline: { spans: baselineSpans, requests: Math.max(0, requests - selected.requests) },
    })),
  };
}

/** `random_sampler` takes a probability below 0.5, or exactly 1 (no sampling). */
const samplerProbability = (wanted: number, spans: number) => {
  const p = spans <= 0 ? 1 : wanted / spans;
  return p >= 0.5 ? 1 : p;
};

/** Elasticsearch's cap on top_hits (index.max_inner_result_window). */
const TOP_HITS_MAX = 100;
/** Time slices a sample is drawn in: each returns what it sampled (about 50), up to 100. */
const SAMPLE_SLICES = 12;
const SAMPLE_FIELDS = [
  fields.traceId,
  fields.spanId,
  fields.span.name,
  fields.span.duration,
  fields.span.status,
  'Attributes.*',
  'Resource.*',
];

/**
 * A uniform random sample of about `size` requests of a group (all of them when it holds fewer
 * than twice that), spread over the window: `random_sampler` keeps each span with one
 * probability, and each of the window's slices returns what it kept (top_hits holds at most 100).
 */
export async function sampleRequests(
  client: Client,
  scope: RequestScope,
  selection: RequestSelection,
  group: RequestGroup,
  spans: number,
  size: number,
): Promise<StoredSpan[]> {
  const { from, to } = scope.range;
  const slice = Math.max(1000, Math.ceil((to - from) / SAMPLE_SLICES / 1000) * 1000);
  const probability = samplerProbability(size, spans);
  const result = await client.search({
    index: indices.spans.pattern,
    ...lenient,
    size: 0,
    query: { bool: { filter: [groupQuery(scope, selection, group)] } },
    aggs: {
      sample: {
        random_sampler: { probability, seed: 7 },
        aggs: {
          slices: {
            date_histogram: {
              field: fields.timestamp,
              fixed_interval: `${slice}ms`,
              offset: `${from % slice}ms`,
            },
            aggs: {
              requests: {
                top_hits: { size: Math.min(TOP_HITS_MAX, size), _source: SAMPLE_FIELDS },
              },
            },
          },
        },
      },
    },
  });
  const slices = (
    result.aggregations?.sample as
      { slices: { buckets: { requests: { hits: estypes.SearchHitsMetadata } }[] } } | undefined
  )?.slices.buckets;
  return (slices ?? []).flatMap((bucket) =>
    bucket.requests.hits.hits.map((hit) => flat((hit._source ?? {}) as Record<string, unknown>)),
  );
}

/**
 * Spans a value's share is measured over at most: a random sample of the group beyond it. At
 * 50,000 a share's standard error is under 0.23 points (p = 0.5); 200,000 made weighing the
 * candidates the slowest step over 1e7 spans (1.4-2.3 s of Elasticsearch time, bench `why`).
 */
const MEASURED_SPANS = 50_000;

export interface ValueWeights {
  /** The group's requests, and those with each value (same order as asked), in what was read. */
  readonly requests: number;
  readonly withValue: readonly number[];
  /** The share of the group's spans read. */
  readonly probability: number;
}

/**
 * The weighted requests of a group that have each value: one `filters` aggregation of term
 * queries (attributes are searchable but have no doc values, so no terms aggregation), over a
 * `random_sampler` sample of at most 50,000 spans of the group.
 */
export async function valueWeights(
  client: Client,
  scope: RequestScope,
  selection: RequestSelection,
  group: RequestGroup,
  spans: number,
  values: readonly FieldValue[],
): Promise<ValueWeights> {
  const probability = samplerProbability(MEASURED_SPANS, spans);
  const filters = values.map(({ field, value }) => ({ term: { [field]: value } }));
  const result = await client.search({
    index: indices.spans.pattern,
    ...lenient,
    size: 0,
    query: { bool: { filter: [groupQuery(scope, selection, group)] } },
    aggs: {
      sample: {
        random_sampler: { probability, seed: 11 },
        aggs: {
          requests: weightSum,
          ...(filters.length > 0 && {
            values: { filters: { filters }, aggs: { requests: weightSum } },
          }),
        },
      },
    },
  });
  const sample = result.aggregations?.sample as
    | { requests: { value: number }; values?: { buckets: { requests: { value: number } }[] } }
    | undefined;
  return {
    requests: sample?.requests.value ?? 0,
    withValue: values.map((_, i) => sample?.values?.buckets[i]?.requests.value ?? 0),
    probability,
  };
}

/** Whether any request of the scope has this attribute (span or resource). */
export async function attributeSeen(
  client: Client,
  scope: RequestScope,
  key: string,
): Promise<boolean> {
  const result = await client.search({
    index: indices.spans.pattern,
    ...lenient,
    size: 0,
    track_total_hits: 1,
    query: {
      bool: {
        filter: [
          ...scopeFilter(scope),
          {
            bool: {
              should: attributeFields(key).map((field) => ({ exists: { field } })),
              minimum_should_match: 1,
            },
          },
        ],
      },
    },
  });
  const hits = result.hits.total;
  return (typeof hits === 'number' ? hits : (hits?.value ?? 0)) > 0;
}
