import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Differences } from '../../src/contracts/api/differences.ts';
import { fields } from '../../src/contracts/fields.ts';
import { startApi, type ApiUnderTest } from '../../tools/harness/api-server.ts';
import { es } from '../../tools/harness/stores.ts';
import { newSpanId, newTraceId } from '../../tools/harness/trace-ids.ts';
import { bulkLoad, spanDocument } from '../support/seed.ts';

/**
 * What is different, against the real Elasticsearch and analysis API, with causes seeded:
 * - SHOP: failures come from one host (h2 fails 60% of its requests, the others 1%), its
 *   successes sampled at 1 in 4 (weight 4), failures kept whole (weight 1);
 * - FRONT calls BACK: /checkout requests call BACK's POST /charge, which fails for a third of
 *   them (the error starts there); /browse requests call nothing. Slow requests wait in
 *   BACK's GET /stock.
 * Every expected share is computed here from the documents seeded.
 */
const run = Date.now().toString(36);
const SHOP = `diff-shop-${run}`;
const FRONT = `diff-front-${run}`;
const BACK = `diff-back-${run}`;
const MINUTE = 60_000;
const T = Math.floor(Date.now() / MINUTE) * MINUTE - MINUTE;
const START = T - 15 * MINUTE;
const iso = (ms: number) => new Date(ms).toISOString();
const window = `from=${iso(START)}&to=${iso(T)}`;

/** A deterministic pseudo-random sequence, so the seeded truth is the same every run. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

type Doc = Record<string, unknown>;
const shop: Doc[] = [];
const chains: Doc[] = [];
{
  const next = random(42);
  for (let i = 0; i < 3000; i += 1) {
    const host = `h${(i % 3) + 1}`;
    const failed = next() < (host === 'h2' ? 0.6 : 0.01);
    if (!failed && next() >= 0.25) continue; // sampled out
    shop.push({
      ...spanDocument({
        service: SHOP,
        route: ['/a', '/b', '/c'][(i % 5) % 3] ?? '/a',
        at: START + i * 300,
        durationMs: 20 + (i % 7),
        failed,
        weight: failed ? 1 : 4,
      }),
      'Resource.host.name': host,
      'Resource.service.version': '2.0',
      'Attributes.app.customer.tier': i % 4 === 0 ? 'gold' : 'silver',
    });
  }
  for (let i = 0; i < 1200; i += 1) {
    const at = START + i * 700;
    const traceId = newTraceId();
    const checkout = i % 2 === 0;
    const chargeFails = checkout && i % 3 === 0;
    const slow = !checkout && i % 5 === 0;
    const entry = newSpanId();
    const client = newSpanId();
    chains.push({
      ...spanDocument({
        service: FRONT,
        route: checkout ? '/checkout' : '/browse',
        at,
        durationMs: slow ? 900 : 40,
        failed: chargeFails,
        weight: 1,
        traceId,
      }),
      [fields.spanId]: entry,
    });
    if (!checkout && !slow) continue;
    chains.push(
      {
        ...spanDocument({
          service: FRONT,
          route: '',
          at: at + 2,
          durationMs: slow ? 880 : 30,
          failed: chargeFails,
          weight: 1,
          traceId,
        }),
        [fields.spanId]: client,
        [fields.span.parentSpanId]: entry,
        [fields.span.kind]: 'SPAN_KIND_CLIENT',
        [fields.span.name]: checkout ? 'POST' : 'GET',
      },
      {
        ...spanDocument({
          service: BACK,
          route: checkout ? '/charge' : '/stock',
          at: at + 3,
          durationMs: slow ? 870 : 25,
          failed: chargeFails,
          weight: 1,
          traceId,
        }),
        [fields.span.parentSpanId]: client,
        [fields.span.name]: checkout ? 'POST /charge' : 'GET /stock',
      },
    );
  }
}

/** The weighted share of the seeded requests of `docs` that pass `where`. */
function share(docs: Doc[], where: (doc: Doc) => boolean) {
  const weight = (doc: Doc) => Number(doc[fields.span.samplingWeight]);
  const all = docs.reduce((sum, doc) => sum + weight(doc), 0);
  return docs.filter(where).reduce((sum, doc) => sum + weight(doc), 0) / all;
}
const isFailed = (doc: Doc) => doc[fields.span.status] === 2;

let api: ApiUnderTest;
beforeAll(async () => {
  await bulkLoad(`lantern-spans-seed-differences-${run}`, [...shop, ...chains]);
  api = await startApi(es);
}, 120_000);
afterAll(async () => {
  await api.close();
});

async function differences(query: string) {
  const { status, body } = await api.get(`/api/v1/analysis/differences?${window}&${query}`);
  expect(status, JSON.stringify(body)).toBe(200);
  return body as Differences;
}

describe('what is different about failed requests', () => {
  it('ranks the failing host first, with its weighted shares of failed and other requests', async () => {
    const body = await differences(`service=${SHOP}&failed=true`);
    const failed = shop.filter(isFailed);
    const others = shop.filter((doc) => !isFailed(doc));
    const onH2 = (doc: Doc) => doc['Resource.host.name'] === 'h2';
    expect(body.selection.spans).toBe(failed.length);
    expect(body.baseline.requests).toBe(others.length * 4);
    expect(body.measuredShare).toBe(1);
    const [top] = body.attributes;
    expect(top).toMatchObject({ source: 'resource', key: 'host.name', value: 'h2' });
    expect(top?.selection).toBeCloseTo(share(failed, onH2), 9);
    expect(top?.baseline).toBeCloseTo(share(others, onH2), 9);
    // The status code is how they failed, not why: listed apart.
    expect(body.outcomes.map((d) => `${d.key}=${d.value}`)).toContain(
      'http.response.status_code=500',
    );
    expect(body.attributes.map((d) => d.key)).not.toContain('http.response.status_code');
    // A value as common among failed requests as among the others is no difference.
    expect(body.attributes.map((d) => d.key)).not.toContain('app.customer.tier');
    expect(body.exemplars.length).toBeGreaterThan(0);
  });

  it('finds where the errors start: in the service called, ranked above the route', async () => {
    const body = await differences(`service=${FRONT}&failed=true`);
    expect(body.attributes[0]).toMatchObject({
      source: 'downstream',
      key: 'downstream.error',
      value: `${BACK} POST /charge`,
      selection: 1,
      baseline: 0,
    });
    expect(body.attributes[1]).toMatchObject({ key: 'http.route', value: '/checkout' });
    expect(body.origins).toEqual([
      { kind: 'error', service: BACK, operation: 'POST /charge', share: 1, itself: false },
    ]);
  });

  it('finds where slow requests wait', async () => {
    const body = await differences(`service=${FRONT}&minMs=500`);
    expect(body.selection.spans).toBe(120);
    expect(body.attributes.map((d) => `${d.key}=${d.value}`)).toContain(
      `downstream.slow=${BACK} GET /stock`,
    );
    expect(body.origins[0]).toMatchObject({
      kind: 'time',
      service: BACK,
      operation: 'GET /stock',
      share: 1,
    });
  });
});

describe('bad input', () => {
  const problem = async (query: string) => {
    const { status, body } = await api.get(`/api/v1/analysis/differences?${query}`);
    return { status, message: (body as { error?: { message?: string } }).error?.message ?? '' };
  };

  it('answers 400 naming what is wrong', async () => {
    const cases: [string, string][] = [
      [`service=${SHOP}&${window}`, 'a selection needs'],
      [`service=${SHOP}&${window}&minMs=99999`, 'the selection holds no requests'],
      [`service=${SHOP}&${window}&attribute=app.nothing=1`, 'parameter "attribute"'],
      [`service=${SHOP}&failed=true&from=${iso(T - 40 * 86_400_000)}&to=${iso(T)}`, '31 days'],
      [`failed=true&${window}`, 'parameter "service"'],
    ];
    for (const [query, says] of cases) {
      const { status, message } = await problem(query);
      expect(status, query).toBe(400);
      expect(message, query).toContain(says);
    }
  });
});
