import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadStackSettings } from '../../tools/stack/settings.ts';
import { startServer, stopServer } from '../../tools/stack/stack.ts';
import {
  rssMiB,
  startApp,
  traceparent,
  type RunningApp,
} from '../../tools/harness/instrumented-app.ts';
import { newSpanId, newTraceId, stack } from '../../tools/harness/otlp.ts';
import { jaegerTrace } from '../../tools/harness/stores.ts';
import { upTo } from '../support/polling.ts';

/** Each of the three rounds of traffic while the Collector is unreachable. */
const ROUND_SECONDS = 30;

async function hammer(app: RunningApp, seconds: number): Promise<number[]> {
  const statuses: number[] = [];
  const until = Date.now() + seconds * 1000;
  const worker = async (): Promise<void> => {
    while (Date.now() < until) {
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
    await stopServer('collector', loadStackSettings());
    app = await startApp({
      loader: '--import',
      script: 'tests/fixtures/express-app.mjs',
      service: `collector-down-${Date.now().toString(36)}`,
      env: {
        OTEL_BSP_SCHEDULE_DELAY: '200',
        LANTERN_SAMPLER_TARGET_TPS: '1000',
        // Two spans per request, so "arrived whole" below means the whole trace.
        LANTERN_EXPRESS_LAYERS: 'handlers',
        // A heap the size of a small container: anything that grew with the traffic while the
        // Collector is away would end the app with an out-of-memory crash within these minutes.
        NODE_OPTIONS: '--max-old-space-size=128',
      },
    });
    const pid = app.child.pid ?? 0;
    // Queues fill up first; after that memory must plateau, not grow with traffic.
    const first = await hammer(app, ROUND_SECONDS);
    const filled = rssMiB(pid);
    const statuses = await hammer(app, ROUND_SECONDS);
    const afterMore = rssMiB(pid);
    const statusesAgain = await hammer(app, ROUND_SECONDS);
    const afterEvenMore = rssMiB(pid);
    console.log(
      `collector down ${3 * ROUND_SECONDS} s, ${first.length + statuses.length + statusesAgain.length} requests: RSS ${filled.toFixed(0)} → ${afterMore.toFixed(0)} → ${afterEvenMore.toFixed(0)} MiB`,
    );
    expect(statuses.length).toBeGreaterThan(3000); // the app kept serving at speed

    expect([...statuses, ...statusesAgain].filter((s) => s !== 200 && s !== 500)).toEqual([]);
    expect(app.child.exitCode).toBeNull();
    // Bounded queues: memory plateaus instead of following the traffic.
    expect(afterEvenMore - filled).toBeLessThan(40);
    expect(afterEvenMore).toBeLessThan(300);
    // The exporter retries before it reports a failure, so the warning can trail the traffic.
    // Whole lines, so a failure shows each warning's reason.
    const exportWarnings = (): string[] =>
      (app as RunningApp).stderr().match(/\[lantern\] exporting spans to \S+ failed.*/g) ?? [];
    await expect.poll(exportWarnings, upTo()).toHaveLength(1);
    expect(app.stderr()).toContain(`${stack.otlpHttp}/v1/traces`);

    await startServer('collector', loadStackSettings());
    // Each batch processor retries its current export for up to 10 s, and until that export
    // ends its queue is full of spans from the outage: a span that ends in that window is
    // dropped like any other over the bound. So the exporter must first say it recovered, and
    // then an error trace sent after that must arrive whole; one a second until one does.
    await expect
      .poll(() => app?.stderr(), upTo())
      .toMatch(/exporting spans to \S+ recovered after \d+ s/);
    const sent: string[] = [];
    const arrived = await vi.waitFor(async () => {
      const traceId = newTraceId();
      sent.push(traceId);
      const response = await fetch(`${app?.url ?? ''}/fail`, {
        headers: { traceparent: traceparent(traceId, newSpanId()) },
      });
      expect(response.status).toBe(500);
      for (const earlier of sent) {
        const spans = await jaegerTrace(earlier);
        if (spans.length > 1) return spans;
      }
      throw new Error(`none of ${sent.length} error traces arrived whole in Jaeger`);
    }, upTo(45_000));
    expect(arrived.map((span) => span.operationName)).toContain('GET /fail');
    // Once for the whole outage, not once per failed export, nor again for exports that were
    // still retrying or refused when it ended: checked after the seconds of traffic above.
    expect(exportWarnings()).toHaveLength(1);
    console.log(
      `after the Collector came back: ${sent.length} error trace(s) sent until one was in Jaeger`,
    );
  });
});
