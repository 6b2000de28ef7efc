import { afterAll, describe, expect, it } from 'vitest';
import { loadStackSettings } from '../../tools/stack/settings.ts';
import { startServer, stopServer } from '../../tools/stack/stack.ts';
import { startApp, type RunningApp } from '../../tools/harness/instrumented-app.ts';
import { stack } from '../../tools/harness/otlp.ts';
import { scrapeSum } from '../../tools/harness/pipeline-counts.ts';
import { upTo } from '../support/polling.ts';

const get = async (app: RunningApp, path: string) => {
  const response = await fetch(`${app.url}${path}`);
  return {
    status: response.status,
    body: (await response.json()) as { error?: { code: string; message: string } },
  };
};

/** Scheduled alert evaluations with this outcome so far, from the service's /metrics. */
const evaluations = (app: RunningApp, outcome: 'ok' | 'failed'): Promise<number> =>
  scrapeSum(`${app.url}/metrics`, 'lantern_analysis_rule_evaluation_seconds_count', { outcome });

describe('Elasticsearch stopped while the analysis service runs', () => {
  let analysis: RunningApp | undefined;
  afterAll(async () => {
    await startServer('elasticsearch', loadStackSettings());
    await analysis?.stop();
  });

  it('answers 503 with the reason, stays up, and recovers when Elasticsearch is back', async () => {
    analysis = await startApp({
      loader: 'none',
      script: 'bin/analysis.ts',
      service: 'analysis',
      env: { LANTERN_ES_URL: stack.elasticsearch, LANTERN_EVAL_INTERVAL: '1s' },
    });
    expect((await get(analysis, '/api/v1/alerts')).status).toBe(200);

    await stopServer('elasticsearch', loadStackSettings());
    const down = await get(analysis, '/api/v1/alerts');
    expect(down.status).toBe(503);
    expect(down.body.error?.code).toBe('elasticsearch_unavailable');
    expect(down.body.error?.message).toMatch(/^Elasticsearch is unavailable: /);
    expect((await get(analysis, '/readyz')).status).toBe(503);
    expect((await get(analysis, '/healthz')).status).toBe(200);
    // Scheduled evaluations fail meanwhile, and say so in /metrics.
    await expect
      .poll(() => evaluations(analysis as RunningApp, 'failed'), upTo())
      .toBeGreaterThan(0);
    expect(analysis.child.exitCode).toBeNull();
    expect(analysis.stderr()).not.toMatch(/unhandled|uncaught/i);

    await startServer('elasticsearch', loadStackSettings());
    await expect
      .poll(async () => (await get(analysis as RunningApp, '/api/v1/alerts')).status, upTo(60_000))
      .toBe(200);
    expect((await get(analysis, '/readyz')).status).toBe(200);
    // The evaluations after the outage succeed again.
    const okBefore = await evaluations(analysis, 'ok');
    await expect
      .poll(() => evaluations(analysis as RunningApp, 'ok'), upTo())
      .toBeGreaterThan(okBefore);
  });
});
