import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { percent } from '../../src/console/format.ts';
import { fields } from '../../src/contracts/fields.ts';
import { launchBrowser, screenshotDir } from '../../tools/harness/browser.ts';
import type { RunningApp } from '../../tools/harness/instrumented-app.ts';
import { stack } from '../../tools/harness/otlp.ts';
import { es } from '../../tools/harness/stores.ts';
import { startAnalysis } from '../support/analysis-service.ts';
import { upTo } from '../support/polling.ts';
import { bulkLoad, spanDocument } from '../support/seed.ts';

/**
 * "Why" in a real browser: the analysis service as users run it evaluates a rule over spans
 * seeded into the real Elasticsearch for the last ten minutes, in which one host fails most of
 * its requests and one route is slow. The alert page must rank the host first and show the
 * page's sections in the order an on-call engineer asks; the trace scatter's brush over the slow
 * dots must find the route.
 */
const run = Date.now().toString(36);
const SHOP = `why-shop-${run}`;
const INDEX = `lantern-spans-seed-why-${run}`;
const NOW = Date.now();
const START = NOW - 10 * 60_000;

const documents: Record<string, unknown>[] = Array.from({ length: 1200 }, (_, i) => {
  const host = `host-${(i % 3) + 1}`;
  const route = ['/cart', '/search', '/report'][i % 4 === 0 ? 2 : i % 2] ?? '/cart';
  return {
    ...spanDocument({
      service: SHOP,
      route,
      at: START + i * 450,
      durationMs: route === '/report' ? 900 + (i % 50) : 20 + (i % 30),
      failed: host === 'host-2' ? i % 5 !== 0 : i % 97 === 0,
      weight: 1,
    }),
    'Resource.host.name': host,
  };
});
const iso = (ms: number) => new Date(ms).toISOString();

let browser: Browser;
let analysis: RunningApp;
beforeAll(async () => {
  await bulkLoad(INDEX, documents);
  const rules = join(mkdtempSync(join(tmpdir(), 'lantern-rules-')), 'rules.yaml');
  writeFileSync(
    rules,
    [
      'rules:',
      '  - name: why-errors',
      '    kind: error_rate',
      '    threshold: 0.1',
      '    min_requests: 20',
      '    window: 10m',
      '    severity: high',
      `    service: ${SHOP}`,
    ].join('\n'),
  );
  analysis = await startAnalysis({
    LANTERN_RULES_FILE: rules,
    LANTERN_ES_URL: stack.elasticsearch,
  });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser.close();
  await analysis.stop();
  await es.indices.delete({ index: INDEX });
});

async function firingAlert(): Promise<{ id: string; startsAt: string }> {
  let alert: { id: string; rule: string; startsAt: string } | undefined;
  await vi.waitFor(async () => {
    const response = await fetch(`${analysis.url}/api/v1/alerts?service=${SHOP}`);
    const body = (await response.json()) as { alerts: (typeof alert & object)[] };
    alert = body.alerts.find((a) => a.rule === 'why-errors');
    expect(alert).toBeDefined();
  }, upTo(60_000));
  return alert ?? { id: '', startsAt: '' };
}

const headings = (page: Page) => page.locator('section h2').allTextContents();

describe('the alert page answers why', () => {
  it('ranks the failing host first, in the order an on-call engineer asks', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
    const alert = await firingAlert();
    await page.goto(`${analysis.url}/alerts/${alert.id}`);
    const top = page.locator('table[aria-label="what is different"] tbody tr').first();
    await top.waitFor({ timeout: 30_000 });
    expect(await top.getAttribute('data-key')).toBe('host.name');
    expect(await top.getAttribute('data-value')).toBe('host-2');
    // 80% of host-2's requests fail against 1 in 97 elsewhere: the share of failed ones is
    // computed here from the seeded spans of the alert's window (its rule's 10 minutes before
    // it started, until now).
    const windowFrom = Date.parse(alert.startsAt) - 10 * 60_000;
    const failed = documents.filter(
      (d) => d[fields.span.status] === 2 && Date.parse(String(d[fields.timestamp])) >= windowFrom,
    );
    const onHost2 = failed.filter((d) => d['Resource.host.name'] === 'host-2').length;
    expect(await top.textContent()).toContain(
      `${percent(onHost2 / failed.length)} of failed requests`,
    );
    await page.locator('ul[aria-label="exemplars of the top difference"] li').first().waitFor();
    expect(await headings(page)).toEqual([
      'What is different',
      'Deploys around the onset',
      'Where it starts',
      'New error patterns',
      'Exemplar traces',
      'Silence',
      'History',
    ]);
    await page.screenshot({ path: join(screenshotDir, 'alert-why.png'), fullPage: true });
    await page.close();
  });
});

describe('a region brushed on the trace scatter', () => {
  it('compares the slow dots with the rest and finds their route', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1200 } });
    await page.goto(
      `${analysis.url}/traces?service=${SHOP}&from=${iso(START - 60_000)}&to=${iso(NOW)}&limit=1000`,
    );
    const scatter = page.locator('svg.scatter');
    await scatter.waitFor({ timeout: 30_000 });
    const box = await scatter.boundingBox();
    if (!box) throw new Error('the scatter is not on screen');
    // The slow dots (~900 ms) sit at the top of the log-scaled drawing: brush its top fifth.
    await page.mouse.move(box.x + 4, box.y + 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width - 4, box.y + box.height * 0.2, { steps: 5 });
    await page.mouse.up();
    const top = page.locator('table[aria-label="what is different"] tbody tr').first();
    await top.waitFor({ timeout: 30_000 });
    expect(await top.getAttribute('data-key')).toBe('http.route');
    expect(await top.getAttribute('data-value')).toBe('/report');
    await page.screenshot({ path: join(screenshotDir, 'traces-brush.png'), fullPage: true });
    await page.close();
  });
});

describe('rates that mean what they say', () => {
  it('reads a service younger than the range over the time it has existed', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${analysis.url}/?range=1h`);
    const cell = page.locator(`tr[data-service="${SHOP}"] td[data-field="rate"]`);
    await expect
      .poll(async () => Number((await cell.textContent({ timeout: 30_000 })) || 0), upTo(30_000))
      .toBeGreaterThan(0);
    const shown = Number(await cell.textContent());
    const now = page.locator(`tr[data-service="${SHOP}"] td[data-field="rate-now"]`);
    const seen = `shown ${String(shown)}, now ${String(await now.textContent())}, ${String(Date.now() - START)} ms after the first span`;
    // Its 1,200 requests over the ten minutes it has existed (its first minute's bucket may
    // start up to a minute earlier), not over the hour: that would read 0.33.
    expect(shown, seen).toBeLessThanOrEqual(
      Number((documents.length / ((NOW - START) / 1000)).toFixed(2)),
    );
    expect(shown, seen).toBeGreaterThanOrEqual(
      Number((documents.length / ((Date.now() - START + 60_000) / 1000)).toFixed(2)),
    );
    await page.close();
  });
});
