import { describe, expect, it } from 'vitest';
import { indices } from '../../src/contracts/indices.ts';
import { startApp, traceparent } from '../../tools/harness/instrumented-app.ts';
import { eventually, newSpanId, newTraceId } from '../../tools/harness/otlp.ts';
import { docsOfTrace, jaegerTrace } from '../../tools/harness/stores.ts';

describe('SIGTERM right after the last request', () => {
  it("flushes that request's spans and logs, then ends the process as SIGTERM would", async () => {
    const app = await startApp({
      loader: '--import',
      script: 'tests/fixtures/express-app.mjs',
      service: `sigterm-${Date.now().toString(36)}`,
      // Long batch delay: only the shutdown flush can deliver in time.
      env: { OTEL_BSP_SCHEDULE_DELAY: '60000' },
    });
    const traceId = newTraceId();
    const response = await fetch(`${app.url}/hello`, {
      headers: { traceparent: traceparent(traceId, newSpanId()) },
    });
    expect(await response.text()).toBe('hello');
    const exit = await app.stop('SIGTERM');
    expect(exit.signal).toBe('SIGTERM');
    const spans = await eventually(
      () => jaegerTrace(traceId),
      (found) => found.some((span) => span.operationName === 'GET /hello'),
    );
    expect(spans.map((span) => span.operationName)).toContain('GET /hello');
    const logs = await eventually(
      () => docsOfTrace(indices.logs.pattern, traceId),
      (found) => found.length > 0,
    );
    expect(logs).toHaveLength(1);
  });
});
