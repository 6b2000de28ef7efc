/**
 * Query latency of the analysis API at 1e5 and 1e6 log documents (and as many spans ÷ 2),
 * /services both as a first read of the 24 h window and as the overview's refresh of it,
 * against a control in the same run: Elasticsearch's bare `_count` over the same indices.
 * Seeds its own indices (lantern-*-bench-*) in the local stack, and deletes them afterwards.
 *   npm run bench -- queries        (BENCH_DOCS=100000,1000000,10000000 to go further)
 */
import type { StackSettings } from '../tools/stack/settings.ts';
import { stackUp } from '../tools/stack/stack.ts';
import { createElasticsearchClient } from '../src/storage/client.ts';
import { fields } from '../src/contracts/fields.ts';
import { startApi } from '../tools/harness/api-server.ts';
import { median, range } from './stats.ts';

const SIZES = (process.env.BENCH_DOCS ?? '100000,1000000').split(',').map(Number);
const REPEATS = 7;
const SERVICES = 20;
const DAY = 86_400_000;

export async function queries(settings: StackSettings): Promise<string> {
  const e = await stackUp(settings);
  const client = createElasticsearchClient({ url: e.elasticsearch, requestTimeoutMs: 120_000 });
  // A day of 2021 that nothing else writes to: the figures do not depend on what else the
  // local Elasticsearch holds (tests and demos write to today's indices).
  const now = Date.parse('2021-06-02T00:00:00Z');
  // The same harness the API's integration tests use: the real API over the real client.
  // The API's clock follows each request's window, as for a console asking for "the last 24 h".
  const clock = { now };
  const server = await startApi(client, { now: () => clock.now });
  const api = server.url;
  const lines = [
    `### Analysis API query latency (${REPEATS} runs each, median and min–max ms; ${SERVICES} services, 24 h of data)`,
    '',
    '| log docs | span docs | control: ES `_count` | /services, first read | /services, refresh | /analysis/error-rate | /analysis/latency | /services refresh ÷ control |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  let seeded = 0;
  try {
    for (const size of SIZES) {
      await seed(client, seeded, size, now);
      seeded = size;
      // Each run asks for a window a second later, as evaluations and users do: identical
      // requests would be answered from Elasticsearch's shard request cache.
      const time = async (run: (shift: number) => Promise<unknown>): Promise<number[]> => {
        const samples: number[] = [];
        for (let i = 0; i < REPEATS; i += 1) {
          const started = performance.now();
          await run(i * 1000 + size);
          samples.push(performance.now() - started);
        }
        return samples;
      };
      const get = (path: string) => async (shift: number) => {
        clock.now = now + shift;
        const response = await fetch(`${api}${path}&from=${now - DAY + shift}&to=${now + shift}`);
        if (!response.ok) throw new Error(`${path} answered ${response.status}`);
        await response.arrayBuffer();
      };
      const control = await time(() =>
        client.count({ index: 'lantern-logs-bench-*,lantern-spans-bench-*' }),
      );
      const services = await time(get('/api/v1/services?'));
      const errorRate = await time(get('/api/v1/analysis/error-rate?service=bench-3'));
      const latency = await time(get('/api/v1/analysis/latency?service=bench-3'));
      const cell = (s: number[]) => `${median(s).toFixed(0)} (${range(s)})`;
      // The first /services of a size reads the whole window (the new documents changed it);
      // the next ones, a second later each as the overview's refresh, read only what moved.
      const [first = 0, ...refreshes] = services;
      lines.push(
        `| ${size.toExponential(0)} | ${(size / 2).toExponential(0)} | ${cell(control)} | ${first.toFixed(0)} | ${cell(refreshes)} | ${cell(errorRate)} | ${cell(latency)} | ${(median(refreshes) / median(control)).toFixed(1)} |`,
      );
    }
  } finally {
    await server.close();
    // Wildcards are refused for deletes (action.destructive_requires_name).
    await client.indices.delete({
      index: ['lantern-logs-bench-0', 'lantern-spans-bench-0'],
      ignore_unavailable: true,
    });
    await client.close();
  }
  return lines.join('\n');
}

async function seed(
  client: ReturnType<typeof createElasticsearchClient>,
  from: number,
  to: number,
  now: number,
) {
  const batch = 20_000;
  for (let i = from; i < to; i += batch) {
    const operations: object[] = [];
    for (let j = i; j < Math.min(i + batch, to); j += 1) {
      const service = `bench-${j % SERVICES}`;
      const at = new Date(now - ((j * 7919) % DAY)).toISOString();
      const traceId = j.toString(16).padStart(32, '0');
      operations.push(
        { index: { _index: 'lantern-logs-bench-0' } },
        {
          [fields.timestamp]: at,
          [fields.traceId]: traceId,
          [fields.spanId]: j.toString(16).padStart(16, '0'),
          [fields.log.severityNumber]: j % 50 === 0 ? 17 : 9,
          [fields.log.severityText]: j % 50 === 0 ? 'ERROR' : 'INFO',
          [fields.log.body]: j % 50 === 0 ? `payment declined for order ${j}` : `order ${j} ok`,
          [fields.serviceName]: service,
        },
      );
      if (j % 2 === 0) {
        operations.push(
          { index: { _index: 'lantern-spans-bench-0' } },
          {
            [fields.timestamp]: at,
            [fields.traceId]: traceId,
            [fields.spanId]: j.toString(16).padStart(16, '0'),
            [fields.span.kind]: 'SPAN_KIND_SERVER',
            [fields.span.status]: j % 100 === 0 ? 2 : 0,
            [fields.span.duration]: 1000 + ((j * 104_729) % 400_000),
            [fields.span.httpRoute]: `/route-${j % 5}`,
            [fields.span.samplingWeight]: 1 + (j % 4),
            [fields.serviceName]: service,
          },
        );
      }
    }
    await client.bulk({ operations });
  }
  await client.indices.refresh({ index: 'lantern-logs-bench-*,lantern-spans-bench-*' });
  await client.indices.forcemerge({
    index: 'lantern-logs-bench-*,lantern-spans-bench-*',
    max_num_segments: 1,
  });
}
