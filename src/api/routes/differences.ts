import { Router } from 'express';
import {
  candidates,
  rankDifferences,
  sampledRequest,
  sampleShares,
  type Measured,
  type Observation,
} from '../../analysis/attribute-differences.ts';
import { text } from '../../analysis/request-origins.ts';
import { bucketStart } from '../../analysis/series.ts';
import { selectionInWords } from '../../analysis/selection-words.ts';
import { originShares, tracedRequests } from '../../analysis/traced-requests.ts';
import { fields } from '../../contracts/fields.ts';
import type { RequestSelection } from '../../contracts/request-selection.ts';
import type { TimeRange } from '../../contracts/time-range.ts';
import type { Client } from '../../storage/client.ts';
import {
  attributeSeen,
  groupSizes,
  sampleRequests,
  valueWeights,
  type RequestGroup,
  type RequestScope,
} from '../../storage/queries/request-groups.ts';
import { spansOfTraces, type StoredSpan } from '../../storage/queries/stored-traces.ts';
import { ApiError } from '../errors.ts';
import { differencesQuery, parseParams, timeRange } from '../params.ts';
import { reply } from '../reply.ts';

/** Requests sampled per group to find the values worth measuring. */
const SAMPLE = 600;
/** Of those, requests per group whose whole traces are read (where it starts). */
const TRACED = 300;
/** Values measured exactly (causes; a quarter more outcomes). */
const MEASURED = 40;
const CHAIN_FIELDS = [
  fields.spanId,
  fields.span.parentSpanId,
  fields.serviceName,
  fields.span.name,
  fields.span.kind,
  fields.span.status,
  fields.span.duration,
  fields.timestamp,
  ...fields.span.httpStatuses,
];

/** Whole traces of some sampled requests, by trace id. */
/** A trace's spans start at most this long before or after a request of it in the window. */
const TRACE_REACH_MS = 10 * 60_000;

async function traceSpans(client: Client, requests: readonly StoredSpan[], range: TimeRange) {
  const ids = [...new Set(requests.map((r) => text(r[fields.traceId])))];
  const byTrace = new Map<string, readonly StoredSpan[]>();
  const within = { from: range.from - TRACE_REACH_MS, to: range.to + TRACE_REACH_MS };
  for await (const spans of spansOfTraces(client, ids, { fields: CHAIN_FIELDS, within }))
    byTrace.set(text(spans[0]?.[fields.traceId]), spans);
  return byTrace;
}

/** What is different about a selection of a service's requests, and where it starts. */
export function differenceRoutes(client: Client, now: () => number): Router {
  const router = Router();

  router.get('/analysis/differences', async (req, res) => {
    const q = parseParams(differencesQuery, req.query);
    const range = timeRange(q, now());
    const scope: RequestScope = { service: q.service, range, route: q.route };
    const selection: RequestSelection = {
      failed: q.failed === undefined ? undefined : q.failed === 'true',
      minMs: q.minMs,
      maxMs: q.maxMs,
      startFrom: q.startFrom,
      startTo: q.startTo,
      attribute: q.attribute,
    };
    const description = selectionInWords(selection);
    if (q.attribute && !(await attributeSeen(client, scope, q.attribute.key)))
      throw new ApiError(
        400,
        'bad_parameter',
        `parameter "attribute": no request of ${q.service} in the range has "${q.attribute.key}"`,
      );
    const sizes = await groupSizes(client, scope, selection);
    if (sizes.spans.selection === 0)
      throw new ApiError(
        400,
        'empty_selection',
        `the selection holds no requests: no ${description} of ${q.service} in the range`,
      );

    const sample = (group: RequestGroup) =>
      sampleRequests(client, scope, selection, group, sizes.spans[group], SAMPLE);
    const [selectedSpans, baselineSpans] = await Promise.all([
      sample('selection'),
      sample('baseline'),
    ]);
    const picked = candidates(
      selectedSpans.map((span) => sampledRequest(span)),
      baselineSpans.map((span) => sampledRequest(span)),
      MEASURED,
    ).filter((o): o is Observation & { field: string } => o.field !== undefined);
    const weigh = (group: RequestGroup) =>
      valueWeights(
        client,
        scope,
        selection,
        group,
        sizes.spans[group],
        picked.map((o) => ({ field: o.field, value: o.value })),
      );
    const [selectedTraces, baselineTraces, selectedWeights, baselineWeights, totals] =
      await Promise.all([
        traceSpans(client, selectedSpans.slice(0, TRACED), range),
        traceSpans(client, baselineSpans.slice(0, TRACED), range),
        weigh('selection'),
        weigh('baseline'),
        sizes.totals,
      ]);

    const share = (part: number, whole: number) => (whole > 0 ? part / whole : 0);
    const measured: Measured[] = picked.map((observation, i) => ({
      observation,
      selection: share(selectedWeights.withValue[i] ?? 0, selectedWeights.requests),
      baseline: share(baselineWeights.withValue[i] ?? 0, baselineWeights.requests),
      selectionSpans: sizes.spans.selection * selectedWeights.probability,
      baselineSpans: sizes.spans.baseline * baselineWeights.probability,
    }));

    // The call chain below the requests: read from whole traces of a sample of each group.
    const slowMs = selection.minMs === undefined ? undefined : selection.minMs / 2;
    const selectedChains = tracedRequests(selectedSpans.slice(0, TRACED), selectedTraces, slowMs);
    const baselineChains = tracedRequests(baselineSpans.slice(0, TRACED), baselineTraces, slowMs);
    const inBaseline = sampleShares(baselineChains.map((c) => c.request));
    for (const { observation, share: inSelection } of sampleShares(
      selectedChains.map((c) => c.request),
    ).values()) {
      if (observation.source !== 'downstream') continue;
      const id = [...inBaseline.values()].find(
        (b) => b.observation.key === observation.key && b.observation.value === observation.value,
      );
      measured.push({
        observation,
        selection: inSelection,
        baseline: id?.share ?? 0,
        selectionSpans: selectedChains.length,
        baselineSpans: baselineChains.length,
      });
    }
    const { attributes, outcomes } = rankDifferences(measured);

    const top = attributes[0];
    const exemplars = top
      ? [
          ...selectedChains.map((c) => c.request),
          ...selectedSpans.map((span) => sampledRequest(span)),
        ]
          .filter((r) =>
            r.observations.some((o) => o.key === top.key && String(o.value) === top.value),
          )
          .map((r) => r.traceId)
      : [];
    reply(res, 'GET /api/v1/analysis/differences', {
      service: q.service,
      from: bucketStart(range.from),
      to: bucketStart(range.to),
      description,
      selection: totals.selection,
      baseline: totals.baseline,
      measuredShare: Math.min(selectedWeights.probability, baselineWeights.probability),
      attributes,
      outcomes,
      origins: originShares(selectedChains, {
        errors: selection.failed === true,
        time: selection.minMs !== undefined,
        service: q.service,
      }),
      tracesRead: selectedChains.length,
      exemplars: [...new Set(exemplars)].slice(0, 3),
    });
  });

  return router;
}
