import { describe, expect, it, vi } from 'vitest';
import { indices } from '../../src/contracts/indices.ts';
import { newSpanId, newTraceId, sendLogs, sendSpans, stack } from '../../tools/harness/otlp.ts';
import { scrapeSum, settledCount } from '../../tools/harness/pipeline-counts.ts';
import { docsOfTrace, es, jaegerTrace } from '../../tools/harness/stores.ts';
import { collectorEndpoints, loadStackSettings } from '../../tools/stack/settings.ts';
import { collectorInstances } from '../../tools/stack/topology.ts';
import { upTo } from '../support/polling.ts';

const settings = loadStackSettings();
const gateways = stack.gateways ?? [];
const samplers = collectorInstances(settings)
  .filter((instance) => instance.tier === 'sampling')
  .map((instance) => collectorEndpoints(settings, instance));
const replicas = stack.analysis ?? [];
const run = Date.now().toString(36);

/** Spans each tail-sampling Collector has taken in so far. */
const acceptedBySampler = (): Promise<number[]> =>
  Promise.all(
    samplers.map((sampler) =>
      scrapeSum(sampler.collectorMetrics, 'otelcol_receiver_accepted_spans'),
    ),
  );

describe('the scaled profile', () => {
  it('runs three Elasticsearch nodes, two gateways, two tail-sampling Collectors and two analysis replicas', async () => {
    const health = await vi.waitFor(async () => {
      const h = await es.cluster.health({ timeout: '1s' });
      expect(h.status).toBe('green');
      return h;
    }, upTo(60_000));
    expect(health.number_of_nodes).toBe(3);
    expect(gateways).toHaveLength(2);
    expect(samplers).toHaveLength(2);
    expect(replicas).toHaveLength(2);
    const nodes = await es.cat.nodes({ format: 'json', h: 'name' });
    expect(nodes.map((node) => node.name).sort()).toEqual([
      'elasticsearch-1',
      'elasticsearch-2',
      'elasticsearch-3',
    ]);
  });

  it('sends every span of a trace to one tail-sampling Collector, whichever gateway each span came through', async () => {
    const service = `scale-routing-${run}`;
    const before = await acceptedBySampler();
    const traces = Array.from({ length: 60 }, (_, i) => ({
      traceId: newTraceId(),
      error: i % 2 === 0,
    }));
    const now = Date.now();
    // The root of a trace through one gateway, its two children through the other: only routing
    // by trace id puts the error root and its children in the same tail sampler. A child that
    // reached the other sampler would be judged without the error and mostly dropped (10%).
    await Promise.all(
      traces.map(async ({ traceId, error }, i) => {
        const root = newSpanId();
        await sendSpans(
          service,
          [{ traceId, spanId: root, name: 'GET /checkout', startMs: now, durationMs: 30, error }],
          gateways[i % 2],
        );
        await sendSpans(
          service,
          [1, 2].map((n) => ({
            traceId,
            spanId: newSpanId(),
            parentSpanId: root,
            name: `SELECT ${String(n)}`,
            startMs: now + n,
            durationMs: 5,
          })),
          gateways[(i + 1) % 2],
        );
      }),
    );
    const errorTraces = traces.filter((trace) => trace.error);
    await expect
      .poll(async () => {
        const stored = await Promise.all(
          errorTraces.map(({ traceId }) => docsOfTrace(indices.spans.pattern, traceId)),
        );
        return stored.map((trace) => trace.length);
      }, upTo(60_000))
      .toEqual(errorTraces.map(() => 3));
    // Jaeger, reading the cluster's spans, has them whole.
    const [first] = errorTraces;
    expect(first).toBeDefined();
    await expect.poll(() => jaegerTrace(first?.traceId ?? ''), upTo()).toHaveLength(3);

    // Both tail samplers took a share, and between them every span once.
    const after = await acceptedBySampler();
    const taken = after.map((count, i) => count - (before[i] ?? 0));
    console.log(
      `spans taken per tail-sampling Collector: ${taken.join(' + ')} of ${traces.length * 3}`,
    );
    expect(taken.every((count) => count > 0)).toBe(true);
    expect(taken.reduce((sum, count) => sum + count, 0)).toBe(traces.length * 3);
  });

  it('stores logs through either gateway on a cluster that keeps a replica of every shard', async () => {
    const service = `scale-logs-${run}`;
    const now = Date.now();
    const batch = (gateway: number) =>
      Array.from({ length: 250 }, (_, i) => ({
        traceId: newTraceId(),
        spanId: newSpanId(),
        timeMs: now + i,
        severityNumber: 9,
        severityText: 'INFO',
        body: `order ${String(i)} through gateway ${String(gateway)}`,
      }));
    await Promise.all(gateways.map((gateway, i) => sendLogs(service, batch(i), gateway)));
    expect(await settledCount(es, 'logs', service, 500, { stableMs: 5_000 })).toBe(500);

    const settings = await es.indices.getSettings({ index: indices.logs.pattern });
    const replicasOf = Object.values(settings).map(
      (index) => index.settings?.index?.number_of_replicas,
    );
    expect(replicasOf.length).toBeGreaterThan(0);
    expect(new Set(replicasOf)).toEqual(new Set(['1']));
    expect((await es.cluster.health({ wait_for_status: 'green', timeout: '60s' })).status).toBe(
      'green',
    );
  });

  it('has exactly one of the two analysis replicas evaluate, and both serve the API', async () => {
    const evaluators = () =>
      Promise.all(
        replicas.map((url) => scrapeSum(`${url}/metrics`, 'lantern_analysis_alert_evaluator')),
      );
    await expect.poll(async () => [...(await evaluators())].sort(), upTo(40_000)).toEqual([0, 1]);
    for (const url of replicas) {
      const response = await fetch(`${url}/api/v1/services`);
      expect(response.status).toBe(200);
    }
  });
});
