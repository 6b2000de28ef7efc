import { describe, expect, it } from 'vitest';
import { indices } from '../../src/contracts/indices.ts';
import { startApp, traceparent } from '../../tools/harness/instrumented-app.ts';
import { newSpanId, newTraceId } from '../../tools/harness/otlp.ts';
import { docsOfTrace, jaegerTrace } from '../../tools/harness/stores.ts';
import { upTo } from '../support/polling.ts';

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
    await expect
      .poll(async () => (await jaegerTrace(traceId)).map((span) => span.operationName), upTo())
      .toContain('GET /hello');
    await expect.poll(() => docsOfTrace(indices.logs.pattern, traceId), upTo()).toHaveLength(1);
  });
});
