import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fields } from '../../src/contracts/fields.ts';
import { indices } from '../../src/contracts/indices.ts';
import { startApi, type ApiUnderTest } from '../../tools/harness/api-server.ts';
import { launchBrowser, screenshotDir } from '../../tools/harness/browser.ts';
import { es } from '../../tools/harness/stores.ts';
import { newSpanId, newTraceId } from '../../tools/harness/trace-ids.ts';
import { alertId } from '../../src/alerts/alert.ts';
import type { Alert } from '../../src/contracts/api/alerts.ts';
import { AlertStore } from '../../src/storage/alert-store.ts';
import type { DeploymentComparison } from '../../src/contracts/api/deployments.ts';
import { ms, multiple } from '../../src/console/format.ts';
import { bulkLoad, logDocument, spanDocument } from '../support/seed.ts';

/**
 * Deploys in the console, in a real browser over the real Elasticsearch: a service whose spans
 * switch from version 1.0 to 1.1 halfway through an hour (1.1 fails one request in 5, takes
 * 80 ms instead of 20 and logs an error 1.0 never did), and one whose spans carry no version
 * but whose pipeline marked a deploy. The page's range is given in its URL, so where on the x
 * axis a deploy belongs is known here.
 */
const run = Date.now().toString(36);
const VERSIONED = `deploy-ui-${run}`;
const PLAIN = `deploy-ui-plain-${run}`;
const INDEX = `lantern-spans-seed-deploy-ui-${run}`;
const LOGS = `lantern-logs-seed-deploy-ui-${run}`;
const MINUTE = 60_000;
const TO = Math.floor(Date.now() / MINUTE) * MINUTE - MINUTE;
const FROM = TO - 60 * MINUTE;
/** One span every 2 s; 1.1 from span 900 on, half an hour in. */
const at = (i: number) => FROM + i * 2000 + 250;
const SPANS = 30 * 60;
const SWITCH = 900;
const isNew = (i: number) => i >= SWITCH;
/** 1.1 fails every 5th request: 180 of its 900, a 20% error rate against 1.0's 0%. */
const fails = (i: number) => isNew(i) && i % 5 === 0;
const iso = (ms: number) => new Date(ms).toISOString();
const MARKED = {
  service: PLAIN,
  version: '7',
  at: iso(TO - 10 * MINUTE),
  by: 'ci',
  link: 'https://ci.example/runs/7',
};

/**
 * A resolved error-rate alert of the versioned service (stored as the engine stores one), from
 * 2 minutes after the deploy for 10 minutes: its page charts the episode from 15 minutes before
 * it started (the rule's 5-minute window is shorter) to 5 minutes after it ended.
 */
const STARTS = at(SWITCH) - 250 + 2 * MINUTE;
const ALERT: Alert = {
  id: alertId('error-rate-high', { service: VERSIONED }),
  rule: 'error-rate-high',
  severity: 'high',
  severityRank: 3,
  state: 'resolved',
  service: VERSIONED,
  summary: `${VERSIONED}: 20% of requests failed`,
  description: '',
  value: 0.2,
  threshold: 0.05,
  startsAt: iso(STARTS),
  endsAt: iso(STARTS + 10 * MINUTE),
  updatedAt: iso(STARTS + 10 * MINUTE),
  lastActiveAt: iso(STARTS + 8 * MINUTE),
  labels: { service: VERSIONED },
  annotations: {},
  exemplarTraceIds: [],
  incidentId: null,
};

let api: ApiUnderTest;
let browser: Browser;
beforeAll(async () => {
  const spans: Record<string, unknown>[] = [];
  const logs: Record<string, unknown>[] = [];
  for (let i = 0; i < SPANS; i += 1) {
    const traceId = newTraceId();
    spans.push(
      {
        ...spanDocument({
          service: VERSIONED,
          route: '/',
          at: at(i),
          durationMs: isNew(i) ? 80 : 20,
          failed: fails(i),
          weight: 1,
          traceId,
        }),
        [fields.serviceVersion]: isNew(i) ? '1.1' : '1.0',
      },
      spanDocument({
        service: PLAIN,
        route: '/',
        at: at(i),
        durationMs: 20,
        failed: false,
        weight: 1,
      }),
    );
    const log = (message: string) =>
      logs.push(
        logDocument({
          service: VERSIONED,
          at: at(i),
          severityNumber: 17,
          message,
          traceId,
          spanId: newSpanId(),
        }),
      );
    // Both versions time out now and then: a pattern, but not a new one.
    if (i % 100 === 7) log(`upstream timeout after ${String(100 + i)} ms`);
    if (fails(i)) log(`card declined for order ${String(i)}`);
  }
  await bulkLoad(INDEX, spans);
  await bulkLoad(LOGS, logs);
  api = await startApi(es, { withConsole: true });
  expect((await api.post('/api/v1/deployments', MARKED)).status).toBe(201);
  await new AlertStore(es).commit([ALERT], [], { carried: [], fresh: [] });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser.close();
  await api.close();
  const marked = await es.search({
    index: indices.deployments.index,
    size: 10,
    query: { term: { service: PLAIN } },
  });
  for (const hit of marked.hits.hits)
    await es.delete({ index: indices.deployments.index, id: hit._id ?? '', refresh: true });
  await new AlertStore(es).commit([], [ALERT.id], { carried: [], fresh: [] });
  await es.indices.delete({ index: [INDEX, LOGS] });
});

async function servicePage(service: string, extra = ''): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${api.url}/services/${service}?from=${iso(FROM)}&to=${iso(TO)}${extra}`);
  return page;
}

/** The comparison table's rows as their cells read. */
const comparisonRows = (page: Page) =>
  Promise.all(
    ['requests/s', 'error rate', 'p95 latency'].map((figure) =>
      page
        .locator(`table[aria-label="before and after"] tr[data-figure="${figure}"] td`)
        .allTextContents(),
    ),
  );

/** Each marker's place across its plot, from 0 (left edge) to 1 (right edge). */
async function across(page: Page, markers = '.charts .deploy-marker'): Promise<number[]> {
  const places: number[] = [];
  for (const marker of await page.locator(markers).all()) {
    const line = await marker.boundingBox();
    const plot = await marker.locator('xpath=..').boundingBox();
    if (!line || !plot) throw new Error('a deploy marker is not on screen');
    places.push((line.x + line.width / 2 - plot.x) / plot.width);
  }
  return places;
}

describe('deploys in the console', () => {
  it('marks the detected deploy on every chart of the service, where it happened, and lists it', async () => {
    const page = await servicePage(VERSIONED);
    await page.locator('.charts figure:nth-child(3) .deploy-marker').waitFor({ timeout: 30_000 });
    const markers = page.locator('.charts .deploy-marker');
    expect(await markers.count()).toBe(3); // one on each chart: requests/s, error rate, p95
    for (const marker of await markers.all()) {
      expect(await marker.getAttribute('data-version')).toBe('1.1');
      expect(await marker.getAttribute('data-source')).toBe('detected');
      expect(await marker.getAttribute('class')).toBe('deploy-marker detected');
      expect(await marker.textContent()).toBe('1.1');
    }
    // The x axis runs from the first minute's bucket to the last one's start (TO - 1 min).
    const expected = (at(SWITCH) - FROM) / (TO - MINUTE - FROM);
    for (const place of await across(page)) expect(Math.abs(place - expected)).toBeLessThan(0.005);
    const rows = page.locator('table[aria-label="deploys"] tbody tr');
    expect(await rows.count()).toBe(1);
    const when = await page.evaluate(
      (t) => new Date(t).toLocaleString(undefined, { hour12: false }),
      at(SWITCH),
    );
    expect(await rows.first().locator('td').allTextContents()).toEqual([
      '1.1',
      '1.0',
      when,
      'detected',
      '',
      '',
    ]);
    await page.screenshot({ path: join(screenshotDir, 'service-deploys.png'), fullPage: true });
    await page.close();
  });

  it('a service without service.version says why nothing is detected, and lists its marked deploy', async () => {
    const page = await servicePage(PLAIN);
    const note = page.locator('[data-detection="unversioned"]');
    await note.waitFor({ timeout: 30_000 });
    expect(await note.textContent()).toContain('carry no service.version');
    const row = page.locator('table[aria-label="deploys"] tbody tr');
    await row.waitFor();
    expect(await row.count()).toBe(1);
    const cells = await row.locator('td').allTextContents();
    expect([cells[0], cells[1], cells[3], cells[4], cells[5]]).toEqual([
      '7',
      '–',
      'marked',
      'ci',
      MARKED.link,
    ]);
    await page.locator('.charts figure:nth-child(3) .deploy-marker').waitFor();
    const markers = page.locator('.charts .deploy-marker');
    expect(await markers.count()).toBe(3);
    expect(await markers.first().getAttribute('class')).toBe('deploy-marker marked');
    const expected = (Date.parse(MARKED.at) - FROM) / (TO - MINUTE - FROM);
    for (const place of await across(page)) expect(Math.abs(place - expected)).toBeLessThan(0.005);
    await page.close();
  });

  it("opens a deploy's before/after from the list: the seeded figures of both versions, the new error", async () => {
    // The figures against the seeded truth: 900 requests a side over 30 minutes each.
    const { body } = await api.get(
      `/api/v1/deployments/comparison?service=${VERSIONED}&version=1.1`,
    );
    const truth = body as unknown as DeploymentComparison;
    expect([truth.before?.requests, truth.after?.requests]).toEqual([900, 900]);
    expect([truth.before?.errorRate, truth.after?.errorRate]).toEqual([0, 0.2]);
    const [p95Before, p95After] = [
      truth.before?.latencyMs.p95 ?? 0,
      truth.after?.latencyMs.p95 ?? 0,
    ];
    expect(Math.abs(p95Before / 20 - 1)).toBeLessThan(0.02); // latency buckets are 2% wide
    expect(Math.abs(p95After / 80 - 1)).toBeLessThan(0.02);

    const page = await servicePage(VERSIONED);
    await page.locator('table[aria-label="deploys"] tr[data-version="1.1"] a').click();
    await page.waitForURL(/[?&]deploy=1\.1(&|$)/);
    const section = page.locator('section.deploy-comparison');
    await section.locator('table[aria-label="before and after"]').waitFor({ timeout: 30_000 });
    expect(await section.locator('.verdict').textContent()).toBe('worse');
    expect(await section.locator('h3 .mono').allTextContents()).toEqual(['1.1', '1.0']);
    expect(await comparisonRows(page)).toEqual([
      ['requests/s', '0.50', '0.50', '1×'],
      ['error rate', '0%', '20%', '+20 pts'],
      ['p95 latency', ms(p95Before), ms(p95After), multiple(p95After / p95Before)],
    ]);
    expect(await section.locator('ul.evidence li').allTextContents()).toEqual(truth.evidence);
    expect(truth.evidence.length).toBeGreaterThan(0);
    // Only the error 1.1 brought, with its count: the timeouts were logged before the deploy too.
    const patterns = section.locator('table[aria-label="new error patterns"] tr');
    expect(await patterns.count()).toBe(1);
    const [records, , example] = await patterns.first().locator('td').allTextContents();
    expect(records).toBe('180');
    expect(example).toMatch(/^card declined for order \d+$/);
    expect(
      await page.locator('table[aria-label="deploys"] tr.selected').getAttribute('data-version'),
    ).toBe('1.1');
    await page.screenshot({
      path: join(screenshotDir, 'service-deploy-comparison.png'),
      fullPage: true,
    });
    await page.close();
  });

  it('opens the comparison of the deploy a link names (what the faulty-deployment alert links)', async () => {
    const page = await servicePage(VERSIONED, '&deploy=1.1');
    await page.locator('table[aria-label="before and after"]').waitFor({ timeout: 30_000 });
    expect((await comparisonRows(page)).map((row) => row.slice(0, 3))).toEqual([
      ['requests/s', '0.50', '0.50'],
      ['error rate', '0%', '20%'],
      expect.any(Array),
    ]);
    await page.locator('section.deploy-comparison a.close').click();
    await page.locator('section.deploy-comparison').waitFor({ state: 'detached' });
    expect(new URL(page.url()).searchParams.has('deploy')).toBe(false);
    await page.close();
  });

  it("marks the deploy on the trend chart of an alert of the service, inside the alert's episode", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${api.url}/alerts/${ALERT.id}`);
    const marker = page.locator('figure.alert-trend .deploy-marker');
    await marker.waitFor({ timeout: 30_000 });
    expect(await marker.count()).toBe(1);
    expect(await marker.getAttribute('data-version')).toBe('1.1');
    // The episode: 15 minutes before the start to 5 after the end, in 30 s buckets; the axis
    // runs to the last bucket's start.
    const from = STARTS - 15 * MINUTE;
    const lastStart = STARTS + 15 * MINUTE - 30_000;
    const [place] = await across(page, 'figure.alert-trend .deploy-marker');
    expect(Math.abs((place ?? -1) - (at(SWITCH) - from) / (lastStart - from))).toBeLessThan(0.005);
    await page.screenshot({ path: join(screenshotDir, 'alert-deploy.png') });
    await page.close();
  });

  it('marks the deploy among the dots of a trace search of the service', async () => {
    // 40 requests around the deploy: 20 of 1.0 (20 ms), then 20 of 1.1 (80 ms).
    const range = `from=${iso(at(SWITCH - 20) - 250)}&to=${iso(at(SWITCH + 20) - 250)}`;
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${api.url}/traces?service=${VERSIONED}&${range}`);
    const marker = page.locator('svg.scatter .deploy-marker');
    await marker.waitFor({ timeout: 30_000 });
    expect(await marker.count()).toBe(1);
    expect(await marker.getAttribute('data-version')).toBe('1.1');
    const line = await marker.locator('line').getAttribute('x1');
    // Every dot left of the line is a 1.0 request, every other one a 1.1 request (the first of
    // them, where the deploy is, sits on the line).
    const dots: { cx: number; title: string }[] = [];
    for (const circle of await page.locator('svg.scatter circle').all())
      dots.push({
        cx: Number(await circle.getAttribute('cx')),
        title: (await circle.textContent()) ?? '',
      });
    expect(dots.filter((d) => d.cx < Number(line)).map((d) => d.title)).toEqual(
      Array.from({ length: 20 }, () => 'GET / 20 ms'),
    );
    expect(dots.filter((d) => d.cx >= Number(line)).map((d) => d.title)).toEqual(
      Array.from({ length: 20 }, () => 'GET / 80 ms'),
    );
    await page.close();
  });
});
