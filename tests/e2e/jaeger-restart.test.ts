import { afterAll, describe, expect, it } from 'vitest';
import { loadStackSettings } from '../../src/stack/settings.ts';
import { startServer, stopServer } from '../../src/stack/stack.ts';
import { eventually, stack } from '../support/otlp.ts';
import { generateLoad, SPANS_PER_TRACE } from '../support/telemetry-load.ts';

const service = `jaeger-restart-${Date.now().toString(36)}`;

afterAll(() => startServer('jaeger', loadStackSettings()));

interface JaegerTraces {
  data: { spans: unknown[] }[];
}

describe('Jaeger stopped and restarted', () => {
  it('receives every trace sent while it was down, once it is back', async () => {
    await stopServer('jaeger');
    const sent = await generateLoad({
      otlpHttp: stack.otlpHttp,
      service,
      logsPerSecond: 0,
      spansPerSecond: 200,
      seconds: 15,
    });
    await startServer('jaeger', loadStackSettings());
    const traces = sent.spansAccepted / SPANS_PER_TRACE;
    const found = await eventually(
      async () =>
        (await (
          await fetch(`${stack.jaeger}/api/traces?service=${service}&limit=5000&lookback=1h`)
        ).json()) as JaegerTraces,
      (body) => body.data.length >= traces,
      120_000,
    );
    console.log(
      `[jaeger down 15 s] traces acked ${traces} → in Jaeger after restart ${found.data.length}`,
    );
    expect(sent.spansFailed).toBe(0);
    expect(found.data).toHaveLength(traces);
    expect(found.data.every((trace) => trace.spans.length === SPANS_PER_TRACE)).toBe(true);
  });
});
