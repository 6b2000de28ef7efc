/**
 * Sampler fidelity end to end: the demo's two services under 0.5×, 1×, 2× and 10× the target
 * rate with 0.1%, 1% and 10% failing requests (injected in the backend, so a failing trace
 * spans both services), plus a 10× burst. The truth: every status, as the generator saw it, and
 * every request's duration from the frontend's access log (demo/access-log.mjs: timed like the
 * server span, from arrival until the response is closed; logs are not sampled, so there is one
 * record per request). Against it we check what the pipeline kept and what the API reports:
 *  - error traces in Jaeger, with the spans of both services;
 *  - kept non-error traces per second vs the target;
 *  - the API's request error rate and p95 vs the truth over the same window.
 * Control: the ground truth itself, measured by the generator in the same run.
 *   npm run bench -- fidelity
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { StackSettings } from '../tools/stack/settings.ts';
import { stackUp } from '../tools/stack/stack.ts';
import { fields, SERVER_KIND } from '../src/contracts/fields.ts';
import { indices } from '../src/contracts/indices.ts';
import { startApi } from '../tools/harness/api-server.ts';
import { startApp, traceparent, type RunningApp } from '../tools/harness/instrumented-app.ts';
import { newSpanId, newTraceId } from '../tools/harness/otlp.ts';
import { es, jaegerTrace } from '../tools/harness/stores.ts';
import { ACCESS_LOG } from '../demo/access-log.mjs';
import { percentile } from './stats.ts';

const TARGET = Number(process.env.BENCH_FIDELITY_TARGET ?? 10);
const SECONDS = Number(process.env.BENCH_FIDELITY_SECONDS ?? 20);
const WARM_UP_SECONDS = 5;
const LOADS = [0.5, 1, 2, 10];
const ERROR_RATES = [0.001, 0.01, 0.1];

interface Outcome {
  readonly traceId: string;
  readonly failed: boolean;
}

interface Cell {
  readonly label: string;
  /** Requests per second over time (seconds since the start of the cell). */
  readonly rateAt: (second: number) => number;
  readonly errorRate: number;
}

/** Open-loop traffic: requests are sent on schedule whether or not earlier ones finished. */
async function drive(frontend: RunningApp, cell: Cell, seconds: number): Promise<Outcome[]> {
  const outcomes: Promise<Outcome | undefined>[] = [];
  const started = Date.now();
  let due = 0;
  while (Date.now() - started < seconds * 1000) {
    const second = (Date.now() - started) / 1000;
    due += cell.rateAt(second) / 100;
    for (; due >= 1; due -= 1) {
      const traceId = newTraceId();
      outcomes.push(
        fetch(`${frontend.url}/checkout/sku-${outcomes.length % 50}`, {
          headers: { traceparent: traceparent(traceId, newSpanId()) },
        })
          .then(async (response) => {
            await response.arrayBuffer();
            return { traceId, failed: response.status >= 500 };
          })
          .catch(() => undefined),
      );
    }
    await sleep(10);
  }
  return (await Promise.all(outcomes)).filter((o): o is Outcome => o !== undefined);
}

async function keptNonErrorTraces(service: string, from: number, to: number): Promise<number> {
  await es.indices.refresh({ index: indices.spans.pattern });
  const result = await es.count({
    index: indices.spans.pattern,
    query: {
      bool: {
        filter: [
          { term: { [fields.serviceName]: service } },
          { term: { [fields.span.kind]: SERVER_KIND } },
          { range: { [fields.timestamp]: { gte: from, lt: to, format: 'epoch_millis' } } },
        ],
        must_not: [{ term: { [fields.span.status]: 2 } }],
      },
    },
  });
  return result.count;
}

/** Durations from the access-log records of these traces (one per request, never sampled). */
async function accessLogDurations(
  service: string,
  traceIds: ReadonlySet<string>,
  from: number,
  to: number,
): Promise<number[]> {
  await es.indices.refresh({ index: indices.logs.pattern });
  const duration = 'Attributes.durationMs';
  const result = await es.search<Record<string, unknown>>({
    index: indices.logs.pattern,
    size: 10_000,
    _source: [fields.traceId, duration],
    query: {
      bool: {
        filter: [
          { term: { [fields.serviceName]: service } },
          { term: { [`${fields.log.body}.raw`]: ACCESS_LOG } },
          // Written at response close, so before the generator saw the response.
          { range: { [fields.timestamp]: { gte: from, lte: to, format: 'epoch_millis' } } },
        ],
      },
    },
    track_total_hits: true,
  });
  const total = result.hits.total;
  if (typeof total === 'object' && total.value > result.hits.hits.length) {
    throw new Error(`${String(total.value)} access-log records: more than one search returns`);
  }
  return result.hits.hits
    .map((hit) => hit._source ?? {})
    .filter((doc) => traceIds.has(String(doc[fields.traceId])))
    .map((doc) => Number(doc[duration]));
}

interface CellResult {
  readonly cell: Cell;
  readonly requests: number;
  readonly failing: number;
  readonly errorTracesWithBoth: number;
  readonly keptPerSecond: number;
  readonly expectedKeptPerSecond: number;
  readonly trueErrorRate: number;
  readonly apiErrorRate: number | null;
  /** Access-log records found for the requests of the window (should be all of them). */
  readonly timedRequests: number;
  readonly trueP95: number;
  readonly apiP95: number | null;
}

async function measureCell(cell: Cell, index: number): Promise<CellResult> {
  const run = `${Date.now().toString(36)}-${index}`;
  const common = { LANTERN_SAMPLER_TARGET_TPS: String(TARGET), OTEL_BSP_SCHEDULE_DELAY: '500' };
  const backend = await startApp({
    loader: '--import',
    script: 'demo/backend.mjs',
    service: `fidelity-backend-${run}`,
    env: { ...common, DEMO_ERROR_RATE: String(cell.errorRate) },
  });
  const frontendService = `fidelity-frontend-${run}`;
  const frontend = await startApp({
    loader: '--import',
    script: 'demo/frontend.mjs',
    service: frontendService,
    env: { ...common, DEMO_ERROR_RATE: '0', BACKEND_URL: backend.url },
  });
  try {
    await drive(frontend, cell, WARM_UP_SECONDS);
    const from = Date.now();
    const outcomes = await drive(frontend, cell, SECONDS);
    const to = Date.now();
    await sleep(10_000); // the bootstrap's and the Collector's decisions, then indexing
    const failing = outcomes.filter((o) => o.failed);
    let withBoth = 0;
    for (const outcome of failing) {
      const spans = await jaegerTrace(outcome.traceId);
      const services = new Set(spans.map((span) => span.service));
      if (services.size === 2) withBoth += 1;
    }
    const api = await startApi(es);
    const { body } = await api.get(
      `/api/v1/services?from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`,
    );
    await api.close();
    const summary = (
      body.services as {
        service: string;
        requests: { errorRate: number | null; latencyMs: { p95: number | null } };
      }[]
    ).find((s) => s.service === frontendService);
    const durations = await accessLogDurations(
      frontendService,
      new Set(outcomes.map((o) => o.traceId)),
      from,
      to,
    );
    const seconds = (to - from) / 1000;
    const nonErrorRate = (outcomes.length - failing.length) / seconds;
    return {
      cell,
      requests: outcomes.length,
      failing: failing.length,
      errorTracesWithBoth: withBoth,
      keptPerSecond: (await keptNonErrorTraces(frontendService, from, to)) / seconds,
      expectedKeptPerSecond: Math.min(nonErrorRate, TARGET),
      trueErrorRate: failing.length / Math.max(1, outcomes.length),
      apiErrorRate: summary?.requests.errorRate ?? null,
      timedRequests: durations.length,
      trueP95: percentile(durations, 95),
      apiP95: summary?.requests.latencyMs.p95 ?? null,
    };
  } finally {
    await Promise.all([frontend.stop(), backend.stop()]);
  }
}

const pct = (value: number, digits = 2): string => `${(100 * value).toFixed(digits)}%`;
const relative = (estimate: number | null, truth: number): string =>
  estimate === null || truth === 0 ? '-' : pct(estimate / truth - 1, 1);

export async function fidelity(settings: StackSettings): Promise<string> {
  await stackUp(settings);
  const cells: Cell[] = [
    ...LOADS.flatMap((load) =>
      ERROR_RATES.map((errorRate) => ({
        label: `${load}× (${load * TARGET}/s), ${pct(errorRate, 1)} errors`,
        rateAt: () => load * TARGET,
        errorRate,
      })),
    ),
    {
      label: `1× with a 10× burst for 5 s, 1% errors`,
      rateAt: (second: number) => (second >= 5 && second < 10 ? 10 : 1) * TARGET,
      errorRate: 0.01,
    },
  ];
  const results: CellResult[] = [];
  for (const [i, cell] of cells.entries()) {
    const result = await measureCell(cell, i);
    console.error(
      `[bench] fidelity ${cell.label}: ${JSON.stringify({ ...result, cell: undefined })}`,
    );
    results.push(result);
  }
  const lines = [
    `### Sampler fidelity end to end (demo frontend → backend, target ${TARGET} kept traces/s per service, ${SECONDS} s per cell after ${WARM_UP_SECONDS} s warm-up)`,
    '',
    'Truth: the status of every request as the generator saw it, and its duration from the frontend’s access log (timed like the server span, arrival → response closed; logs are not sampled). API = `GET /api/v1/services` over the same window.',
    '',
    '| load, errors | requests | failing | error traces in Jaeger with both services | kept non-error/s (expected) | ratio | error rate truth → API (rel.) | p95 ms truth → API (rel.) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of results) {
    lines.push(
      `| ${r.cell.label} | ${r.requests} | ${r.failing} | ${r.errorTracesWithBoth}/${r.failing} | ${r.keptPerSecond.toFixed(2)} (${r.expectedKeptPerSecond.toFixed(2)}) | ${(r.keptPerSecond / r.expectedKeptPerSecond).toFixed(3)} | ${pct(r.trueErrorRate)} → ${r.apiErrorRate === null ? '-' : pct(r.apiErrorRate)} (${relative(r.apiErrorRate, r.trueErrorRate)}) | ${r.trueP95.toFixed(1)} → ${r.apiP95?.toFixed(1) ?? '-'} (${relative(r.apiP95, r.trueP95)}) |`,
    );
  }
  const errorTraces = results.reduce((n, r) => n + r.failing, 0);
  const withBoth = results.reduce((n, r) => n + r.errorTracesWithBoth, 0);
  const requests = results.reduce((n, r) => n + r.requests, 0);
  const timed = results.reduce((n, r) => n + r.timedRequests, 0);
  lines.push(
    '',
    `Error traces in Jaeger with spans of both services: ${withBoth} of ${errorTraces}. Access-log records found: ${timed} of ${requests} requests. Sampling noise: a kept count of n has a relative standard deviation of about 1/√n, so cells with few kept traces scatter more than the 10% / 2% goals on their own.`,
  );
  return lines.join('\n');
}
