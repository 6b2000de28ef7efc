import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { observe } from '../../src/alerts/observe.ts';
import { evaluationReader } from '../../src/storage/evaluation-reader.ts';
import { loadRules } from '../../src/alerts/rules.ts';
import { fields, SERVER_KIND } from '../../src/contracts/fields.ts';
import { indices } from '../../src/contracts/indices.ts';
import { startApi, type ApiUnderTest } from '../../tools/harness/api-server.ts';
import { startApp, type RunningApp } from '../../tools/harness/instrumented-app.ts';
import * as grpc from '@grpc/grpc-js';
import { sendSpans, stack, type TestSpan } from '../../tools/harness/otlp.ts';
import { exportOverGrpc, protobufSpans } from '../../tools/harness/otlp-grpc.ts';
import { es } from '../../tools/harness/stores.ts';
import { join } from 'node:path';
import { repoRoot } from '../../tools/stack/paths.ts';
import { upTo } from '../support/polling.ts';

/**
 * Numbers right for every OTLP source, not only the bootstrap: the Collector stamps each span's
 * weight whoever kept it (otel-collector.yaml, transform/sampling_weight). Trace ids come from a
 * seeded generator, so the Collector's hash-based decisions are the same on every run; the
 * bounds are still the statistical ones (a correct pipeline meets them with probability
 * >= 1 - 1e-6): |estimate - truth| <= 4.9 standard deviations, the variance estimated from the
 * stored weights themselves (Horvitz-Thompson: sum of w(w - 1)).
 */
const run = Date.now().toString(36);
const Z = 4.9;

function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hexOf = (random: () => number, bytes: number): string =>
  Array.from({ length: bytes }, () =>
    Math.floor(random() * 256)
      .toString(16)
      .padStart(2, '0'),
  ).join('');

/** A request as the source saw it: its latency and whether it failed. */
interface Request {
  readonly traceId: string;
  readonly spanId: string;
  readonly durationMs: number;
  readonly failed: boolean;
}

/** `count` requests, 1% failing, latency log-normal (median 40 ms), over the last minute. */
function requests(seed: number, count: number): Request[] {
  const random = prng(seed);
  return Array.from({ length: count }, (_, i) => {
    const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return {
      traceId: hexOf(random, 16),
      spanId: hexOf(random, 8),
      durationMs: Math.min(900, 40 * Math.exp(0.6 * normal)),
      failed: i % 100 === 7,
    };
  });
}

const start = Date.now() - 60_000;
const asSpans = (all: readonly Request[], traceState?: string): TestSpan[] =>
  all.map((r, i) => ({
    traceId: r.traceId,
    spanId: r.spanId,
    name: 'GET /orders/:id',
    startMs: start + (i * 55_000) / all.length,
    durationMs: r.durationMs,
    error: r.failed,
    attributes: { 'http.route': '/orders/:id', 'http.response.status_code': r.failed ? 500 : 200 },
    ...(traceState ? { traceState } : {}),
  }));

type Transport = 'OTLP/HTTP JSON' | 'OTLP/gRPC protobuf';

async function send(
  service: string,
  spans: readonly TestSpan[],
  transport: Transport = 'OTLP/HTTP JSON',
): Promise<void> {
  for (let i = 0; i < spans.length; i += 500) {
    const batch = spans.slice(i, i + 500);
    if (transport === 'OTLP/HTTP JSON') await sendSpans(service, batch);
    else {
      const body = protobufSpans(service, batch);
      const status = await exportOverGrpc(stack.otlpGrpc, 'traces', insecure, body);
      expect(status).toBe(grpc.status.OK);
    }
  }
}
const insecure = grpc.credentials.createInsecure();

/** How many of a service's stored server spans carry each weight, once the Collector has stopped adding. */
async function storedWeights(service: string, atLeast: number): Promise<Map<number, number>> {
  const read = async () => {
    await es.indices.refresh({ index: indices.spans.pattern });
    const result = await es.search({
      index: indices.spans.pattern,
      size: 0,
      query: {
        bool: {
          filter: [
            { term: { [fields.serviceName]: service } },
            { term: { [fields.span.kind]: SERVER_KIND } },
          ],
        },
      },
      aggs: { weights: { terms: { field: fields.span.samplingWeight, size: 100, missing: -1 } } },
    });
    const buckets = (
      result.aggregations?.weights as { buckets: { key: number; doc_count: number }[] }
    ).buckets;
    return new Map(buckets.map((b) => [b.key, b.doc_count]));
  };
  const total = (m: Map<number, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  let last = await vi.waitFor(async () => {
    const stored = await read();
    expect(total(stored)).toBeGreaterThanOrEqual(atLeast);
    return stored;
  }, upTo(60_000));
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const now = await read();
    if (total(now) === total(last)) return now;
    last = now;
  }
}

/** Standard deviation of a Horvitz-Thompson count, estimated from the stored weights. */
const htSd = (weights: Map<number, number>): number =>
  Math.sqrt([...weights].reduce((sum, [w, n]) => sum + n * w * (w - 1), 0));

const quantile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN;

interface ServiceFigures {
  count: number;
  errorRate: number;
  latencyMs: { p95: number };
}

let api: ApiUnderTest;
beforeAll(async () => {
  api = await startApi(es);
});
afterAll(async () => {
  await api.close();
});

async function figures(service: string): Promise<ServiceFigures> {
  const from = new Date(start - 60_000).toISOString();
  const { body } = await api.get(`/api/v1/services?from=${from}`);
  const found = (body.services as { service: string; requests: ServiceFigures }[]).find(
    (s) => s.service === service,
  );
  if (!found) throw new Error(`no figures for ${service}`);
  return found.requests;
}

/** Lantern's default request rules (error rate, p95), evaluated over the data just sent. */
async function activeRequestAlerts(service: string): Promise<string[]> {
  const rules = loadRules(join(repoRoot, 'config', 'rules.yaml')).filter(
    (rule) => rule.kind === 'error_rate' || rule.kind === 'latency_percentile',
  );
  const read = evaluationReader(es);
  const active: string[] = [];
  for (const rule of rules) {
    const observed = await observe(es, { ...rule, service }, { from: start, to: Date.now() }, read);
    active.push(...observed.filter((o) => o.active).map(() => rule.name));
  }
  return active;
}

/** The truth's p95 and the band a weighted p95 of `kept` samples stays in (2% buckets). */
function p95Band(all: readonly Request[], kept: number): [number, number] {
  const sorted = all.map((r) => r.durationMs).sort((a, b) => a - b);
  const delta = Z * Math.sqrt((0.95 * 0.05) / kept);
  return [quantile(sorted, 0.95 - delta) / 1.03, quantile(sorted, 0.95 + delta) * 1.03];
}

describe.each<[Transport, number]>([
  ['OTLP/HTTP JSON', 20261201],
  ['OTLP/gRPC protobuf', 20261203],
])('a service without the bootstrap (%s)', (transport, seed) => {
  const service = `raw-otlp-${seed}-${run}`;
  const sent = requests(seed, 6000);
  const failed = sent.filter((r) => r.failed).length;

  it('is counted right: errors weigh 1, the baseline keeps weigh 10, and no alert fires', async () => {
    await send(service, asSpans(sent), transport);
    const weights = await storedWeights(service, failed);
    expect([...weights.keys()].sort((a, b) => a - b)).toEqual([1, 10]);
    expect(weights.get(1)).toBe(failed);
    const f = await figures(service);
    const sd = htSd(weights);
    const truthP95 = quantile(
      sent.map((r) => r.durationMs).sort((a, b) => a - b),
      0.95,
    );
    console.log(
      `${transport} source: count ${f.count} (truth ${sent.length}, ±${(Z * sd).toFixed(0)}), ` +
        `error rate ${(f.errorRate * 100).toFixed(2)}% (truth ${((failed / sent.length) * 100).toFixed(2)}%), ` +
        `p95 ${f.latencyMs.p95} ms (truth ${truthP95.toFixed(1)} ms)`,
    );
    expect(Math.abs(f.count - sent.length)).toBeLessThanOrEqual(Z * sd + 1);
    expect(f.errorRate).toBeCloseTo(failed / f.count, 6);
    expect(f.errorRate).toBeLessThan(0.05);
    const [low, high] = p95Band(sent, weights.get(10) ?? 0);
    expect(f.latencyMs.p95).toBeGreaterThanOrEqual(low);
    expect(f.latencyMs.p95).toBeLessThanOrEqual(high);
    expect(await activeRequestAlerts(service)).toEqual([]);
  });
});

describe('a source that head-samples itself and says so (ot=th:)', () => {
  const service = `th-source-${run}`;
  const all = requests(20261202, 8000);
  // th:c rejects randomness below 0xc/0x10: the source keeps a quarter of its traces.
  const random = prng(7);
  const sent = all.filter(() => random() < 0.25);

  it('keeps everything it sent, each weighing 4, counted to the truth', async () => {
    await send(service, asSpans(sent, 'ot=th:c'));
    const weights = await storedWeights(service, sent.length);
    expect(Object.fromEntries(weights)).toEqual({ 4: sent.length });
    const f = await figures(service);
    console.log(
      `th source: kept ${sent.length} of ${all.length} at the source, count ${f.count} (truth ${all.length}), ` +
        `error rate ${(f.errorRate * 100).toFixed(2)}%`,
    );
    expect(f.count).toBe(4 * sent.length);
    expect(Math.abs(f.count - all.length)).toBeLessThanOrEqual(Z * htSd(weights));
    expect(f.errorRate).toBeCloseTo(sent.filter((r) => r.failed).length / sent.length, 6);
    expect(await activeRequestAlerts(service)).toEqual([]);
  });
});

describe('a trace from a bootstrap service into a service without it', () => {
  const frontendService = `mixed-frontend-${run}`;
  const backendService = `mixed-backend-${run}`;
  const total = 3000;
  let backend: Server;
  let frontend: RunningApp;
  const forwarded: Promise<void>[] = [];

  /** The backend, instrumented as any OTel SDK would: a server span under the caller's context. */
  function serve(request: IncomingMessage): void {
    const [, traceId = '', parentSpanId = ''] = String(request.headers.traceparent).split('-');
    const traceState = request.headers.tracestate;
    const span: TestSpan = {
      traceId,
      spanId: hexOf(Math.random, 8),
      parentSpanId,
      kind: 'server',
      name: 'GET /inventory/:sku',
      startMs: Date.now() - 2,
      durationMs: 2,
      attributes: { 'http.route': '/inventory/:sku', 'http.response.status_code': 200 },
      ...(typeof traceState === 'string' ? { traceState } : {}),
    };
    forwarded.push(sendSpans(backendService, [span]));
  }

  beforeAll(async () => {
    backend = createServer((request, response) => {
      serve(request);
      response.setHeader('content-type', 'application/json');
      response.end('{"sku":"x","stock":3}');
    });
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
    const address = backend.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    frontend = await startApp({
      loader: '--import',
      script: 'demo/frontend.mjs',
      service: frontendService,
      env: {
        BACKEND_URL: `http://127.0.0.1:${port}`,
        LANTERN_SAMPLER_TARGET_TPS: '5',
        DEMO_ERROR_RATE: '0',
      },
    });
  });
  afterAll(async () => {
    await frontend.stop();
    backend.close();
  });

  it('is counted once and right in both services', async () => {
    let next = 0;
    const worker = async () => {
      while (next < total) {
        next += 1;
        const response = await fetch(`${frontend.url}/checkout/sku-${next % 50}`);
        expect(response.status).toBe(200);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    await Promise.all(forwarded);
    for (const service of [frontendService, backendService]) {
      const weights = await storedWeights(service, 1);
      const f = await figures(service);
      console.log(
        `mixed trace, ${service}: count ${f.count} (truth ${total}, ±${(Z * htSd(weights)).toFixed(0)})`,
      );
      expect(Math.abs(f.count - total), service).toBeLessThanOrEqual(Z * htSd(weights) + 1);
    }
  });
});
