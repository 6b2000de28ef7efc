import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { runningPid } from '../../tools/stack/daemon.ts';
import { loadStackSettings } from '../../tools/stack/settings.ts';
import { startServer } from '../../tools/stack/stack.ts';
import { stack } from '../../tools/harness/otlp.ts';
import { settledCount } from '../../tools/harness/pipeline-counts.ts';
import { es } from '../../tools/harness/stores.ts';
import { generateLoad } from '../../tools/harness/telemetry-load.ts';

const RATE = 2000;
const service = `collector-killed-${Date.now().toString(36)}`;

afterAll(() => startServer('collector', loadStackSettings()));

describe('the Collector killed with SIGKILL under load, then restarted', () => {
  it('loses no log record it acknowledged, and no span it had already sampled', async () => {
    const load = generateLoad({
      otlpHttp: stack.otlpHttp,
      service,
      logsPerSecond: RATE,
      spansPerSecond: RATE,
      seconds: 20,
    });
    await sleep(6000);
    const pid = runningPid(loadStackSettings().paths, 'collector');
    expect(pid).toBeDefined();
    process.kill(pid ?? 0, 'SIGKILL');
    const killedAt = Date.now();
    await sleep(1000);
    await startServer('collector', loadStackSettings());
    const downMs = Date.now() - killedAt;
    const sent = await load;

    const storedLogs = await settledCount(es, 'logs', service, sent.logsAccepted);
    const storedSpans = await settledCount(es, 'spans', service, sent.spansAccepted);
    console.log(
      `[collector SIGKILL] down ${downMs} ms; logs acked ${sent.logsAccepted} → stored ${storedLogs} (refused while down ${sent.logsFailed}); spans acked ${sent.spansAccepted} → stored ${storedSpans} (refused ${sent.spansFailed})`,
    );
    expect(sent.logsFailed + sent.spansFailed).toBeGreaterThan(0); // it really was down
    // Every acknowledged record was on disk (persistent queue) before the 200 went out.
    // At-least-once: a batch in flight at the kill may be sent again, so >= rather than ===.
    expect(storedLogs).toBeGreaterThanOrEqual(sent.logsAccepted);
    // Spans wait in tail_sampling (memory) until their trace is decided: 1 s after the root
    // arrives, on the processor's 1 s tick, so up to about 2 s. What arrived in that window
    // before the kill is the one loss the design allows (seen: 120 to 3,110 of ~38,000).
    expect(storedSpans).toBeGreaterThanOrEqual(sent.spansAccepted - 3 * RATE);
  });
});
