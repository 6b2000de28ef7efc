import { afterAll, describe, expect, it } from 'vitest';
import { loadStackSettings } from '../../src/stack/settings.ts';
import { startServer, stopServer } from '../../src/stack/stack.ts';
import { rssMiB, startApp, traceparent, type RunningApp } from '../support/instrumented-app.ts';
import { eventually, newSpanId, newTraceId, stack } from '../support/otlp.ts';
import { jaegerTrace } from '../support/stores.ts';

async function hammer(app: RunningApp, count: number): Promise<number[]> {
  const statuses: number[] = [];
  const worker = async (): Promise<void> => {
    while (statuses.length < count) {
      const index = statuses.push(0) - 1;
      const path = index % 100 === 0 ? '/fail' : '/hello';
      const response = await fetch(`${app.url}${path}`);
      await response.arrayBuffer();
      statuses[index] = response.status;
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return statuses;
}

describe('the Collector unreachable, then back', () => {
  let app: RunningApp | undefined;
  afterAll(async () => {
    await app?.stop();
    await startServer('collector', loadStackSettings());
  });

  it('keeps the app serving with bounded memory, says so once, and resumes export', async () => {
    await stopServer('collector');
    app = await startApp({
      loader: '--import',
      script: 'tests/fixtures/express-app.mjs',
      service: `collector-down-${Date.now().toString(36)}`,
      env: { OTEL_BSP_SCHEDULE_DELAY: '200', LANTERN_SAMPLER_TARGET_TPS: '1000' },
    });
    const pid = app.child.pid ?? 0;
    // Queues fill up first; after that memory must plateau, not grow with traffic.
    await hammer(app, 6000);
    const filled = rssMiB(pid);
    const statuses = await hammer(app, 6000);
    const afterMore = rssMiB(pid);
    const statusesAgain = await hammer(app, 6000);
    const afterEvenMore = rssMiB(pid);
    console.log(
      `collector down: RSS ${filled.toFixed(0)} → ${afterMore.toFixed(0)} → ${afterEvenMore.toFixed(0)} MiB`,
    );

    expect([...statuses, ...statusesAgain].filter((s) => s !== 200 && s !== 500)).toEqual([]);
    expect(app.child.exitCode).toBeNull();
    // Bounded queues: growth slows to a plateau instead of following the traffic.
    expect(afterEvenMore - afterMore).toBeLessThan(30);
    expect(afterEvenMore - filled).toBeLessThan(100);
    // The exporter retries before it reports a failure, so the warning can trail the traffic.
    const exportWarnings = (): string[] =>
      (app as RunningApp).stderr().match(/\[lantern\] exporting spans to \S+ failed/g) ?? [];
    const warnings = await eventually(
      async () => Promise.resolve(exportWarnings()),
      (w) => w.length > 0,
      30_000,
    );
    expect(warnings).toHaveLength(1);
    expect(app.stderr()).toContain(`${stack.otlpHttp}/v1/traces`);

    await startServer('collector', loadStackSettings());
    const traceId = newTraceId();
    const response = await fetch(`${app.url}/fail`, {
      headers: { traceparent: traceparent(traceId, newSpanId()) },
    });
    expect(response.status).toBe(500);
    const spans = await eventually(
      () => jaegerTrace(traceId),
      (found) => found.length > 1,
      45_000,
    );
    expect(spans.map((span) => span.operationName)).toContain('GET /fail');
  });
});
