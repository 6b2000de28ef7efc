import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { loadStackSettings } from '../../tools/stack/settings.ts';
import { startServer, stopServer } from '../../tools/stack/stack.ts';
import { stack } from '../../tools/harness/otlp.ts';
import { settledCount } from '../../tools/harness/pipeline-counts.ts';
import { es, jaegerTrace } from '../../tools/harness/stores.ts';
import { generateLoad, SPANS_PER_TRACE } from '../../tools/harness/telemetry-load.ts';

const RATE = 1000;
const OUTAGE_MS = 60_000;
const service = `es-outage-${Date.now().toString(36)}`;

afterAll(() => startServer('elasticsearch', loadStackSettings()));

describe('Elasticsearch stopped for 60 s under load, then restarted', () => {
  it('stores every acknowledged log record and span once it is back', async () => {
    const load = generateLoad({
      otlpHttp: stack.otlpHttp,
      service,
      logsPerSecond: RATE,
      spansPerSecond: RATE,
      seconds: 100,
    });
    await sleep(10_000);
    await stopServer('elasticsearch', loadStackSettings());
    const stoppedAt = Date.now();
    await sleep(OUTAGE_MS);
    await startServer('elasticsearch', loadStackSettings());
    const downSeconds = (Date.now() - stoppedAt) / 1000;
    const sent = await load;

    const storedLogs = await settledCount(es, 'logs', service, sent.logsAccepted, {
      stableMs: 45_000,
      timeoutMs: 180_000,
    });
    const storedSpans = await settledCount(es, 'spans', service, sent.spansAccepted, {
      stableMs: 45_000,
      timeoutMs: 180_000,
    });
    console.log(
      `[elasticsearch down ${downSeconds.toFixed(0)} s] logs acked ${sent.logsAccepted} → stored ${storedLogs}; spans acked ${sent.spansAccepted} → stored ${storedSpans}; refused by the Collector: ${sent.logsFailed + sent.spansFailed}`,
    );
    // The Collector keeps accepting while Elasticsearch is away (its queue is on disk)...
    expect(sent.logsFailed + sent.spansFailed).toBe(0);
    // ...and delivers all of it afterwards (at least once).
    expect(storedLogs).toBeGreaterThanOrEqual(sent.logsAccepted);
    expect(storedSpans).toBeGreaterThanOrEqual(sent.spansAccepted);
    // Jaeger serves them whole: it reads what Elasticsearch stored.
    for (const traceId of sent.sampleTraceIds.slice(-5)) {
      expect(await jaegerTrace(traceId)).toHaveLength(SPANS_PER_TRACE);
    }
  });
});
