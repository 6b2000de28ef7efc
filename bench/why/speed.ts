/**
 * The speed half of `npm run bench -- why`: the differences endpoint over one service's 1e7
 * request spans in 15 minutes (BENCH_WHY_SPANS for another size), failed and slow selections,
 * 7 runs each, interleaved in one run with two controls over the same window: the service's
 * weighted request latency (`/api/v1/analysis/latency`, the plain read of the window), and the
 * peer approach, Elasticsearch's `significant_terms` on a field with doc values over the same
 * selection (document counts, no weights). Where the time goes: the `took` of each search the
 * endpoint makes. The scratch index is deleted afterwards.
 */
import type { Client } from '@elastic/elasticsearch';
import { fields, SERVER_KIND } from '../../src/contracts/fields.ts';
import { startApi } from '../../tools/harness/api-server.ts';
import { rotated } from '../interleaved.ts';
import { median, range } from '../stats.ts';
import { LOAD_SERVICE, LOAD_WINDOW_MS, loadSpans } from './load.ts';

const SPANS = Number(process.env.BENCH_WHY_SPANS ?? 10_000_000);
const RUNS = 7;
const FROM = Date.parse('2021-10-02T00:00:00Z');
const SLOW_MS = 500;

/** What one search of the endpoint was for, from its request body. */
function searchKind(body: string): string {
  if (body.includes('"significant_terms"')) return 'significant_terms';
  if (body.includes('"slices"')) return 'sample';
  if (body.includes('"random_sampler"')) return 'weigh';
  if (body.includes('"track_total_hits":true')) return 'totals';
  if (body.includes('"percentiles"')) return 'percentiles';
  if (body.includes(`"${fields.traceId}"`)) return 'traces';
  return 'other';
}

export async function differencesSpeed(client: Client): Promise<string> {
  const index = `lantern-spans-bench-why-${Date.now().toString(36)}`;
  const api = await startApi(client);
  // Every search's `took`, by what it was for, while a differences request runs.
  let took: Map<string, number> | undefined;
  const listener = (
    _error: unknown,
    event: {
      body?: unknown;
      meta: { request: { params: { path: string; body?: unknown } } };
    } | null,
  ) => {
    if (!took || !event?.meta.request.params.path.endsWith('/_search')) return;
    const body = event.meta.request.params.body;
    const kind = searchKind(typeof body === 'string' ? body : JSON.stringify(body ?? ''));
    const ms = (event.body as { took?: number } | undefined)?.took ?? 0;
    took.set(kind, (took.get(kind) ?? 0) + ms);
  };
  client.diagnostic.on('response', listener);
  try {
    const started = performance.now();
    await loadSpans(client, index, SPANS, FROM);
    console.log(
      `[bench] ${SPANS} spans loaded in ${((performance.now() - started) / 1000).toFixed(0)} s`,
    );
    const samples = new Map<string, number[]>();
    const profile = new Map<string, Map<string, number[]>>();
    const scope = (shift: number) => ({
      from: FROM + shift,
      to: FROM + LOAD_WINDOW_MS + shift,
    });
    const window = (shift: number) => {
      const { from, to } = scope(shift);
      return `service=${LOAD_SERVICE}&from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`;
    };
    const get = async (path: string) => {
      const { status, body } = await api.get(path);
      if (status !== 200) throw new Error(`${path}: ${status} ${JSON.stringify(body)}`);
    };
    const significant = (selection: object, field: string) => async (shift: number) => {
      const { from, to } = scope(shift);
      const inScope = [
        { term: { [fields.serviceName]: LOAD_SERVICE } },
        { term: { [fields.span.kind]: SERVER_KIND } },
        {
          range: {
            [fields.timestamp]: {
              gte: new Date(from).toISOString(),
              lt: new Date(to).toISOString(),
            },
          },
        },
      ];
      await client.search({
        index,
        size: 0,
        query: { bool: { filter: [...inScope, selection] } },
        aggs: {
          different: {
            significant_terms: { field, background_filter: { bool: { filter: inScope } } },
          },
        },
      });
    };
    const variants: [string, (shift: number) => Promise<void>][] = [
      ['control: /analysis/latency', (s) => get(`/api/v1/analysis/latency?${window(s)}`)],
      ['differences, failed', (s) => get(`/api/v1/analysis/differences?${window(s)}&failed=true`)],
      [
        'differences, slow',
        (s) => get(`/api/v1/analysis/differences?${window(s)}&minMs=${SLOW_MS}`),
      ],
      [
        'peer: significant_terms on Name, failed',
        significant({ term: { [fields.span.status]: 2 } }, fields.span.name),
      ],
      [
        'peer: significant_terms on http.route, slow',
        significant(
          { range: { [fields.span.duration]: { gte: SLOW_MS * 1000 } } },
          fields.span.httpRoute,
        ),
      ],
    ];
    let shift = 0;
    for (let run = 0; run < RUNS; run += 1) {
      for (const [name, variant] of rotated(variants, run)) {
        // A window a second later each time: no answer (nor a search two variants share, as
        // the scope's totals) comes from the shard request cache.
        shift += 1000;
        took = new Map();
        const t0 = performance.now();
        await variant(shift);
        const ms = performance.now() - t0;
        samples.set(name, [...(samples.get(name) ?? []), ms]);
        const mine = profile.get(name) ?? new Map<string, number[]>();
        for (const [kind, value] of took) mine.set(kind, [...(mine.get(kind) ?? []), value]);
        profile.set(name, mine);
        took = undefined;
      }
    }
    const control = median(samples.get(variants[0]?.[0] ?? '') ?? []);
    const rows = variants.map(([name]) => {
      const s = samples.get(name) ?? [];
      const tooks = [...(profile.get(name) ?? [])]
        .map(([kind, values]) => `${kind} ${median(values).toFixed(0)}`)
        .join(', ');
      return `| ${name} | ${median(s).toFixed(0)} (${range(s)}) | ${(median(s) / control).toFixed(1)} | ${tooks || '–'} |`;
    });
    return [
      `### Speed: one service, ${SPANS.toExponential(0)} request spans in 15 minutes (${RUNS} runs each, interleaved; median and min–max ms)`,
      '',
      '| query | ms | ÷ control | Elasticsearch `took` by search, median ms (summed per kind) |',
      '| --- | --- | --- | --- |',
      ...rows,
    ].join('\n');
  } finally {
    client.diagnostic.off('response', listener);
    await api.close();
    await client.indices.delete({ index, ignore_unavailable: true });
  }
}
