import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadStackSettings } from '../../tools/stack/settings.ts';
import { startServer, stopServer } from '../../tools/stack/stack.ts';
import { stack } from '../../tools/harness/otlp.ts';
import { generateLoad, SPANS_PER_TRACE } from '../../tools/harness/telemetry-load.ts';
import { upTo } from '../support/polling.ts';

const run = Date.now().toString(36);
const service = `jaeger-restart-${run}`;
const earlier = `jaeger-before-restart-${run}`;

afterAll(() => startServer('jaeger', loadStackSettings()));

interface JaegerTraces {
  data: { spans: unknown[] }[];
}

const tracesOf = async (name: string): Promise<JaegerTraces> =>
  (await (
    await fetch(`${stack.jaeger}/api/traces?service=${name}&limit=5000&lookback=1h`)
  ).json()) as JaegerTraces;

describe('Jaeger stopped and restarted', () => {
  it('serves every trace sent while it was down, once it is back, and the older ones', async () => {
    const before = await generateLoad({
      otlpHttp: stack.otlpHttp,
      service: earlier,
      logsPerSecond: 0,
      spansPerSecond: 100,
      seconds: 2,
    });
    expect(before.spansFailed).toBe(0);
    const stored = before.spansAccepted / SPANS_PER_TRACE;
    // Served before the stop: Jaeger is not in the write path, so the stop loses nothing.
    await expect
      .poll(async () => (await tracesOf(earlier)).data, upTo(60_000))
      .toHaveLength(stored);
    await stopServer('jaeger', loadStackSettings());
    const sent = await generateLoad({
      otlpHttp: stack.otlpHttp,
      service,
      logsPerSecond: 0,
      spansPerSecond: 200,
      seconds: 15,
    });
    await startServer('jaeger', loadStackSettings());
    const traces = sent.spansAccepted / SPANS_PER_TRACE;
    const found = await vi.waitFor(async () => {
      const body = await tracesOf(service);
      expect(body.data.length).toBeGreaterThanOrEqual(traces);
      return body;
    }, upTo(120_000));
    const kept = await tracesOf(earlier);
    console.log(
      `[jaeger down 15 s] traces acked ${traces} → in Jaeger after restart ${found.data.length}; ` +
        `stored before the stop ${stored} → still there ${kept.data.length}`,
    );
    expect(kept.data).toHaveLength(stored);
    expect(kept.data.every((trace) => trace.spans.length === SPANS_PER_TRACE)).toBe(true);
    expect(sent.spansFailed).toBe(0);
    expect(found.data).toHaveLength(traces);
    expect(found.data.every((trace) => trace.spans.length === SPANS_PER_TRACE)).toBe(true);
  });
});
