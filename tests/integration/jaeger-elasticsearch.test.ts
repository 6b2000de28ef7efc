import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../../tools/harness/free-port.ts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { newSpanId, newTraceId, sendSpans } from '../../tools/harness/otlp.ts';
import { es } from '../../tools/harness/stores.ts';
import { jaeger } from '../../tools/stack/jaeger.ts';
import { loadStackSettings } from '../../tools/stack/settings.ts';
import { upTo } from '../support/polling.ts';

/**
 * Jaeger with LANTERN_JAEGER_STORAGE=elasticsearch, as the stack starts it (its daemon spec),
 * over the test stack's Elasticsearch: stateless, so a trace written through one instance is
 * served by another, also by one started after the first is gone.
 */
interface Instance {
  readonly api: string;
  readonly otlp: string;
  readonly child: ChildProcess;
}
const running: Instance[] = [];

async function startJaeger(): Promise<Instance> {
  const [query, grpc, otlpGrpc, otlpHttp, health, metrics] = await Promise.all(
    Array.from({ length: 6 }, freePort),
  );
  const settings = loadStackSettings({
    ...process.env,
    LANTERN_JAEGER_STORAGE: 'elasticsearch',
    LANTERN_JAEGER_QUERY_PORT: String(query),
    LANTERN_JAEGER_QUERY_GRPC_PORT: String(grpc),
    LANTERN_JAEGER_OTLP_GRPC_PORT: String(otlpGrpc),
    LANTERN_JAEGER_OTLP_HTTP_PORT: String(otlpHttp),
    LANTERN_JAEGER_HEALTH_PORT: String(health),
    LANTERN_JAEGER_METRICS_PORT: String(metrics),
  });
  const spec = jaeger.daemon(settings);
  const child = spawn(spec.command, [...spec.args], {
    env: { ...process.env, ...spec.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const instance = {
    api: `http://127.0.0.1:${String(query)}`,
    otlp: `http://127.0.0.1:${String(otlpHttp)}`,
    child,
  };
  running.push(instance);
  await vi.waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`Jaeger exited:\n${stderr}`);
    const answer = await fetch(`${instance.api}/api/services`).catch(() => undefined);
    if (!answer?.ok) throw new Error(`Jaeger did not start:\n${stderr}`);
  }, upTo(60_000));
  return instance;
}

async function traceFrom(instance: Instance, traceId: string): Promise<string[]> {
  const response = await fetch(`${instance.api}/api/traces/${traceId}`);
  if (!response.ok) return [];
  const { data } = (await response.json()) as {
    data: { spans: { operationName: string }[] }[];
  };
  return (data[0]?.spans ?? []).map((span) => span.operationName).sort();
}

beforeAll(() => jaeger.obtain(loadStackSettings()), 900_000);
afterAll(() => {
  for (const instance of running) instance.child.kill('SIGKILL');
});

describe('Jaeger on Elasticsearch (LANTERN_JAEGER_STORAGE=elasticsearch)', () => {
  it('serves a trace written through another instance, also once that one is gone', async () => {
    const [writer, reader] = await Promise.all([startJaeger(), startJaeger()]);
    const traceId = newTraceId();
    const root = newSpanId();
    const now = Date.now();
    await sendSpans(
      `jaeger-es-${now.toString(36)}`,
      [
        {
          traceId,
          spanId: root,
          name: 'GET /checkout',
          kind: 'server',
          startMs: now,
          durationMs: 30,
        },
        {
          traceId,
          spanId: newSpanId(),
          parentSpanId: root,
          name: 'SELECT stock',
          kind: 'client',
          startMs: now + 5,
          durationMs: 10,
        },
      ],
      writer.otlp,
    );
    const expected = ['GET /checkout', 'SELECT stock'];
    await expect.poll(() => traceFrom(reader, traceId), upTo()).toEqual(expected);
    // The writer's spans are in Elasticsearch, under Jaeger's own index prefix.
    // One shard and no replica on one node: the cluster stays green.
    const indices = await es.cat.indices({ index: 'lantern-jaeger-*', format: 'json' });
    const spanIndex = indices.find((i) => i.index?.includes('jaeger-span'));
    expect(spanIndex).toMatchObject({ pri: '1', rep: '0', health: 'green' });

    writer.child.kill('SIGKILL');
    const later = await startJaeger();
    expect(await traceFrom(later, traceId)).toEqual(expected);
  }, 180_000);
});
