/**
 * The console in the real browser (Debian's Chromium): the first load until the overview shows
 * data, a service's page (an hour of requests, a new version halfway) until its charts show and
 * until the deploy is marked on them (the deploys are one more request, answered after), and
 * the trace view of a 5,000-span trace until it shows (all spans read, the rows in view
 * drawn: the waterfall draws only those) and until its critical path is marked. Controls in the same
 * run: the same browser loading the API's /healthz (what any page costs here), and the trace
 * view of a 10-span trace. Seeds its own indices (lantern-*-bench-console-*), deletes them after.
 *   npm run bench -- console
 */
import { fields } from '../src/contracts/fields.ts';
import { createElasticsearchClient } from '../src/storage/client.ts';
import { startApi } from '../tools/harness/api-server.ts';
import { launchBrowser } from '../tools/harness/browser.ts';
import { newSpanId, newTraceId } from '../tools/harness/trace-ids.ts';
import type { StackSettings } from '../tools/stack/settings.ts';
import { stackUp } from '../tools/stack/stack.ts';
import { median, range } from './stats.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);

/** A trace of `size` server and internal spans over 3 services, nested up to 6 deep. */
function trace(size: number): { traceId: string; docs: Record<string, unknown>[] } {
  const traceId = newTraceId();
  const start = Date.now() - 60_000;
  const ids: string[] = [];
  const docs = Array.from({ length: size }, (_, i) => {
    const spanId = newSpanId();
    ids.push(spanId);
    const parent = i === 0 ? undefined : ids[Math.max(0, Math.floor((i - 1) / 6))];
    return {
      [fields.timestamp]: new Date(start + i).toISOString(),
      [fields.traceId]: traceId,
      [fields.spanId]: spanId,
      ...(parent ? { [fields.span.parentSpanId]: parent } : {}),
      [fields.span.name]: `step ${i}`,
      [fields.span.kind]: i % 7 === 0 ? 'SPAN_KIND_SERVER' : 'SPAN_KIND_INTERNAL',
      [fields.span.status]: i % 97 === 0 ? 2 : 0,
      [fields.span.duration]: 1000 * (size - i),
      [fields.serviceName]: `bench-console-${i % 3}`,
    };
  });
  return { traceId, docs };
}

const SERVICE = 'bench-console-service';

/** An hour of one service's requests, one every 2 s, its version 1.0 until halfway, then 1.1. */
function serviceHour(): Record<string, unknown>[] {
  const start = Date.now() - 3_600_000;
  return Array.from({ length: 1800 }, (_, i) => {
    const at = start + i * 2000;
    return {
      [fields.timestamp]: new Date(at).toISOString(),
      [fields.span.endTimestamp]: new Date(at + 20).toISOString(),
      [fields.traceId]: newTraceId(),
      [fields.spanId]: newSpanId(),
      [fields.span.name]: 'GET /',
      [fields.span.kind]: 'SPAN_KIND_SERVER',
      [fields.span.status]: 0,
      [fields.span.duration]: 20_000,
      [fields.span.httpRoute]: '/',
      [fields.span.httpStatus]: 200,
      [fields.serviceName]: SERVICE,
      [fields.serviceVersion]: i < 900 ? '1.0' : '1.1',
    };
  });
}

export async function consoleBench(settings: StackSettings): Promise<string> {
  const e = await stackUp(settings);
  const client = createElasticsearchClient({ url: e.elasticsearch });
  const index = `lantern-spans-bench-console-${Date.now().toString(36)}`;
  const big = trace(5000);
  const small = trace(10);
  const operations = [...big.docs, ...small.docs, ...serviceHour()].flatMap((doc) => [
    { index: { _index: index } },
    doc,
  ]);
  await client.bulk({ operations, refresh: 'wait_for' });
  const api = await startApi(client, { withConsole: true });
  const browser = await launchBrowser();
  const timed = async (path: string, ready: string, count?: number): Promise<number[]> => {
    const samples: number[] = [];
    for (let i = 0; i < RUNS; i += 1) {
      const context = await browser.newContext(); // cold: nothing cached
      const page = await context.newPage();
      const started = performance.now();
      await page.goto(`${api.url}${path}`);
      await page.locator(ready).first().waitFor();
      // A trace view is ready when its rows show and it has read all `count` spans.
      if (count !== undefined) {
        await page.locator('p.muted', { hasText: `${count} spans` }).waitFor();
      }
      samples.push(performance.now() - started);
      await context.close();
    }
    return samples;
  };
  try {
    const control = await timed('/healthz', 'body');
    const overview = await timed('/', 'tr[data-service]');
    const servicePath = `/services/${SERVICE}?range=1h`;
    const service = await timed(servicePath, '.charts figure:nth-child(3) canvas');
    const deploys = await timed(servicePath, '.charts figure:nth-child(3) .deploy-marker');
    const smallTrace = await timed(`/traces/${small.traceId}`, '.span-row', 10);
    const bigTrace = await timed(`/traces/${big.traceId}`, '.span-row', 5000);
    const criticalPath = await timed(`/traces/${big.traceId}`, '.span-row.critical', 5000);
    const row = (name: string, samples: number[]) =>
      `| ${name} | ${median(samples).toFixed(0)} (${range(samples)}) | ${(median(samples) / median(control)).toFixed(1)} |`;
    return [
      `### Console in the browser (Chromium headless, ${RUNS} cold loads each, ms)`,
      '',
      '| page | median (min–max) | ÷ control |',
      '| --- | --- | --- |',
      row('control: /healthz', control),
      row('first load: overview until a service row shows', overview),
      row('service page, an hour of requests, until its 3 charts show', service),
      row('service page, until its deploy is marked on the 3 charts', deploys),
      row('trace view, 10 spans, until shown', smallTrace),
      row('trace view, 5,000 spans, until shown (rows in view drawn)', bigTrace),
      row('trace view, 5,000 spans, until its critical path is marked', criticalPath),
    ].join('\n');
  } finally {
    await browser.close();
    await api.close();
    await client.indices.delete({ index });
    await client.close();
  }
}
