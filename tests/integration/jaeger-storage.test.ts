import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fields } from '../../src/contracts/fields.ts';
import { indices } from '../../src/contracts/indices.ts';
import { WEIGHT_ATTRIBUTE } from '../../src/contracts/sampling-weight.ts';
import { freePort } from '../../tools/harness/free-port.ts';
import { newSpanId, newTraceId, sendSpans, stack } from '../../tools/harness/otlp.ts';
import { es, jaegerTrace } from '../../tools/harness/stores.ts';
import { jaeger } from '../../tools/stack/jaeger.ts';
import { loadStackSettings } from '../../tools/stack/settings.ts';
import { upTo } from '../support/polling.ts';

/**
 * Jaeger reads Lantern's spans (lantern-spans-*) through bin/jaeger-storage.ts, Jaeger's Remote
 * Storage API v2, and keeps no copy: a span sent through the Collector is served with its
 * sampling weight, by the stack's Jaeger and by a second one started beside it, and is gone
 * from Jaeger once it is gone from Elasticsearch.
 */
const settings = loadStackSettings();
const running: ChildProcess[] = [];

/** Another Jaeger, as the stack starts it (its daemon spec), on ports of its own. */
async function startJaeger(): Promise<string> {
  const [query, grpc, health, metrics] = await Promise.all(Array.from({ length: 4 }, freePort));
  const spec = jaeger.daemon(
    loadStackSettings({
      ...process.env,
      LANTERN_JAEGER_QUERY_PORT: String(query),
      LANTERN_JAEGER_QUERY_GRPC_PORT: String(grpc),
      LANTERN_JAEGER_HEALTH_PORT: String(health),
      LANTERN_JAEGER_METRICS_PORT: String(metrics),
    }),
  );
  const child = spawn(spec.command, [...spec.args], {
    env: { ...process.env, ...spec.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  running.push(child);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const api = `http://127.0.0.1:${String(query)}`;
  await vi.waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`Jaeger exited:\n${stderr}`);
    const answer = await fetch(`${api}/api/services`).catch(() => undefined);
    if (!answer?.ok) throw new Error(`Jaeger did not start:\n${stderr}`);
  }, upTo(60_000));
  return api;
}

interface V1Trace {
  data: { spans: { spanID: string; tags: { key: string; type: string; value: unknown }[] }[] }[];
}
const spanIdsFrom = async (api: string, traceId: string): Promise<string[]> => {
  const response = await fetch(`${api}/api/traces/${traceId}`);
  if (!response.ok) return [];
  const body = (await response.json()) as V1Trace;
  return (body.data[0]?.spans ?? []).map((span) => span.spanID).sort();
};

beforeAll(() => jaeger.obtain(settings), 900_000);
afterAll(() => {
  for (const child of running) child.kill('SIGKILL');
});

describe("Jaeger on Lantern's span store", () => {
  const service = `jaeger-storage-${Date.now().toString(36)}`;
  const traceId = newTraceId();
  const root = newSpanId();
  const child = newSpanId();

  it('serves a span sent through the Collector, with its sampling weight', async () => {
    const now = Date.now();
    await sendSpans(service, [
      {
        traceId,
        spanId: root,
        name: 'GET /checkout',
        kind: 'server',
        startMs: now,
        durationMs: 30,
        attributes: { [WEIGHT_ATTRIBUTE]: 2.5, 'http.route': '/checkout' },
      },
      {
        traceId,
        spanId: child,
        parentSpanId: root,
        name: 'SELECT stock',
        startMs: now + 5,
        durationMs: 10,
        attributes: { [WEIGHT_ATTRIBUTE]: 2.5 },
      },
    ]);
    const spans = await vi.waitFor(async () => {
      const found = await jaegerTrace(traceId);
      expect(found.map((span) => span.spanID).sort()).toEqual([root, child].sort());
      return found;
    }, upTo());
    const rootSpan = spans.find((span) => span.spanID === root);
    expect(rootSpan?.service).toBe(service);
    expect(rootSpan?.operationName).toBe('GET /checkout');
    expect(rootSpan?.tags).toContainEqual({ key: WEIGHT_ATTRIBUTE, type: 'float64', value: 2.5 });
    expect(rootSpan?.tags).toContainEqual({
      key: 'http.route',
      type: 'string',
      value: '/checkout',
    });
    // Found by a search too, as Jaeger's UI finds it: by service, operation and tag.
    const search = new URLSearchParams({
      service,
      operation: 'GET /checkout',
      tags: JSON.stringify({ 'http.route': '/checkout' }),
      lookback: '1h',
      limit: '20',
    });
    const found = (await (
      await fetch(`${stack.jaeger}/api/traces?${search.toString()}`)
    ).json()) as V1Trace;
    expect(found.data.map((trace) => trace.spans.length)).toEqual([2]);
    const services = (await (await fetch(`${stack.jaeger}/api/services`)).json()) as {
      data: string[];
    };
    expect(services.data).toContain(service);
  });

  it('draws the service graph from the stored requests, re-weighted', async () => {
    const caller = `${service}-caller`;
    const callTrace = newTraceId();
    const clientSpan = newSpanId();
    const now = Date.now();
    await sendSpans(caller, [
      {
        traceId: callTrace,
        spanId: clientSpan,
        name: 'GET /cart',
        kind: 'client',
        startMs: now,
        durationMs: 20,
        attributes: { [WEIGHT_ATTRIBUTE]: 4 },
      },
    ]);
    await sendSpans(service, [
      {
        traceId: callTrace,
        spanId: newSpanId(),
        parentSpanId: clientSpan,
        name: 'GET /cart',
        kind: 'server',
        startMs: now + 1,
        durationMs: 18,
        attributes: { [WEIGHT_ATTRIBUTE]: 4 },
      },
    ]);
    const graph = async () => {
      const answer = await fetch(
        `${stack.jaeger}/api/dependencies?endTs=${String(Date.now())}&lookback=3600000`,
      );
      const body = (await answer.json()) as {
        data: { parent: string; child: string; callCount: number }[];
      };
      return body.data
        .filter((link) => link.parent === caller)
        .map(({ parent, child, callCount }) => ({ parent, child, callCount }));
    };
    await expect.poll(graph, upTo()).toEqual([{ parent: caller, child: service, callCount: 4 }]);
  });

  it('keeps no copy: a second Jaeger serves the same, and neither once Lantern deleted it', async () => {
    const other = await startJaeger();
    expect(await spanIdsFrom(other, traceId)).toEqual([root, child].sort());
    // Nothing of Jaeger's own: no folder in the stack's state, no index in Elasticsearch.
    expect(existsSync(join(settings.paths.stateDir, 'jaeger'))).toBe(false);
    const all = await es.cat.indices({ format: 'json' });
    expect(all.map((i) => i.index).filter((name) => name?.includes('jaeger'))).toEqual([]);
    // One by one: the test distribution of Elasticsearch has no _delete_by_query.
    const stored = await es.search({
      index: indices.spans.pattern,
      query: { term: { [fields.traceId]: traceId } },
    });
    expect(stored.hits.hits).toHaveLength(2);
    for (const hit of stored.hits.hits) {
      await es.delete({ index: hit._index, id: hit._id ?? '', refresh: true });
    }
    expect(await spanIdsFrom(other, traceId)).toEqual([]);
    expect(await spanIdsFrom(stack.jaeger, traceId)).toEqual([]);
  }, 120_000);
});
