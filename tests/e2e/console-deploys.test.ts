import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fields } from '../../src/contracts/fields.ts';
import { indices } from '../../src/contracts/indices.ts';
import { startApi, type ApiUnderTest } from '../../tools/harness/api-server.ts';
import { launchBrowser, screenshotDir } from '../../tools/harness/browser.ts';
import { es } from '../../tools/harness/stores.ts';
import { bulkLoad, spanDocument } from '../support/seed.ts';

/**
 * Deploys in the console, in a real browser over the real Elasticsearch: a service whose spans
 * switch from version 1.0 to 1.1 halfway through an hour, and one whose spans carry no version
 * but whose pipeline marked a deploy. The page's range is given in its URL, so where on the x
 * axis a deploy belongs is known here.
 */
const run = Date.now().toString(36);
const VERSIONED = `deploy-ui-${run}`;
const PLAIN = `deploy-ui-plain-${run}`;
const INDEX = `lantern-spans-seed-deploy-ui-${run}`;
const MINUTE = 60_000;
const TO = Math.floor(Date.now() / MINUTE) * MINUTE - MINUTE;
const FROM = TO - 60 * MINUTE;
/** One span every 2 s; 1.1 from span 900 on, half an hour in. */
const at = (i: number) => FROM + i * 2000 + 250;
const SPANS = 30 * 60;
const SWITCH = 900;
const iso = (ms: number) => new Date(ms).toISOString();
const MARKED = {
  service: PLAIN,
  version: '7',
  at: iso(TO - 10 * MINUTE),
  by: 'ci',
  link: 'https://ci.example/runs/7',
};

let api: ApiUnderTest;
let browser: Browser;
beforeAll(async () => {
  const documents = Array.from({ length: SPANS }, (_, i) => [
    {
      ...spanDocument({
        service: VERSIONED,
        route: '/',
        at: at(i),
        durationMs: 20,
        failed: false,
        weight: 1,
      }),
      [fields.serviceVersion]: i < SWITCH ? '1.0' : '1.1',
    },
    spanDocument({
      service: PLAIN,
      route: '/',
      at: at(i),
      durationMs: 20,
      failed: false,
      weight: 1,
    }),
  ]).flat();
  await bulkLoad(INDEX, documents);
  api = await startApi(es, { withConsole: true });
  expect((await api.post('/api/v1/deployments', MARKED)).status).toBe(201);
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
  await es.indices.delete({ index: INDEX });
});

async function servicePage(service: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${api.url}/services/${service}?from=${iso(FROM)}&to=${iso(TO)}`);
  return page;
}

/** Each marker's place across its plot, from 0 (left edge) to 1 (right edge). */
async function across(page: Page): Promise<number[]> {
  const places: number[] = [];
  for (const marker of await page.locator('.charts .deploy-marker').all()) {
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
});
