import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fields } from '../../src/contracts/fields.ts';
import { launchBrowser, screenshotDir } from '../../tools/harness/browser.ts';
import type { RunningApp } from '../../tools/harness/instrumented-app.ts';
import { stack } from '../../tools/harness/otlp.ts';
import { newSpanId, newTraceId } from '../../tools/harness/trace-ids.ts';
import { es } from '../../tools/harness/stores.ts';
import { startAnalysis } from '../support/analysis-service.ts';
import { bulkLoad, spanDocument } from '../support/seed.ts';

/**
 * The trace view in a real browser, over a trace seeded into the real Elasticsearch whose
 * critical path is worked out by hand below: concurrent children, a fire-and-forget span that
 * outlives the root, a span whose parent is missing; and a second trace whose spans are each
 * other's parents.
 */
const run = Date.now().toString(36);
const INDEX = `lantern-spans-seed-traceview-${run}`;
const AT = Date.now() - 60_000;

interface Seeded {
  name: string;
  service: string;
  parent: string | null;
  from: number;
  to: number;
  attributes?: Record<string, string>;
}
/** Spans of the first trace, by name; times in ms after AT. */
const TREE: Seeded[] = [
  { name: 'GET /checkout', service: 'front', parent: null, from: 0, to: 1000 },
  { name: 'POST /auth', service: 'back', parent: 'GET /checkout', from: 50, to: 200 },
  { name: 'GET /cart', service: 'back', parent: 'GET /checkout', from: 220, to: 900 },
  {
    name: 'SELECT cart',
    service: 'db',
    parent: 'GET /cart',
    from: 300,
    to: 500,
    attributes: { 'db.system': 'postgresql' },
  },
  {
    name: 'SELECT price',
    service: 'db',
    parent: 'GET /cart',
    from: 320,
    to: 700,
    attributes: { 'db.system': 'redis' },
  },
  // Fire-and-forget: counts on the path only until the root ends.
  { name: 'audit publish', service: 'back', parent: 'GET /checkout', from: 950, to: 1400 },
  { name: 'lost', service: 'front', parent: 'never stored', from: 100, to: 150 },
];
/**
 * The critical path, walked back from the root's end: audit publish (ends last, clipped at
 * 1000), the root's own 900–950, GET /cart (ended before audit began) with its own time
 * around SELECT price (ends last; SELECT cart ended after SELECT price began), the root's own
 * 200–220, POST /auth, the root's first 50 ms. `lost` and SELECT cart are off it.
 */
const CRITICAL = ['GET /checkout', 'POST /auth', 'GET /cart', 'SELECT price', 'audit publish'];
/** Per service on that path, ms: back 150 + 100 + 200 + 50, db 380, front 50 + 20 + 50. */
const BY_SERVICE = { back: 500, db: 380, front: 120 };

const traceId = newTraceId();
const ids = new Map<string, string>(TREE.map((s) => [s.name, newSpanId()]));
ids.set('never stored', newSpanId());
const documents = (spans: readonly Seeded[], trace: string, spanIds: Map<string, string>) =>
  spans.map((s) => ({
    ...spanDocument({
      service: s.service,
      route: s.name,
      at: AT + s.from,
      durationMs: s.to - s.from,
      failed: false,
      weight: 1,
      traceId: trace,
    }),
    [fields.span.name]: s.name,
    [fields.spanId]: spanIds.get(s.name),
    ...(s.parent ? { [fields.span.parentSpanId]: spanIds.get(s.parent) } : {}),
    ...Object.fromEntries(
      Object.entries(s.attributes ?? {}).map(([k, v]) => [`Attributes.${k}`, v]),
    ),
  }));

const cycleTraceId = newTraceId();
const CYCLE: Seeded[] = [
  { name: 'job', service: 'cron', parent: null, from: 0, to: 500 },
  { name: 'x', service: 'cron', parent: 'y', from: 100, to: 300 },
  { name: 'y', service: 'cron', parent: 'x', from: 150, to: 250 },
];
const cycleIds = new Map(CYCLE.map((s) => [s.name, newSpanId()]));

let browser: Browser;
let analysis: RunningApp;
beforeAll(async () => {
  await bulkLoad(INDEX, [
    ...documents(TREE, traceId, ids),
    ...documents(CYCLE, cycleTraceId, cycleIds),
  ]);
  analysis = await startAnalysis({ LANTERN_ES_URL: stack.elasticsearch });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser.close();
  await analysis.stop();
  await es.indices.delete({ index: INDEX });
});

const nameOf = new Map([...ids].map(([name, id]) => [id, name]));
const spanNames = async (page: Page, selector: string): Promise<string[]> => {
  const rows = await page.locator(selector).all();
  const spans = await Promise.all(rows.map((r) => r.getAttribute('data-span')));
  return spans.map((id) => nameOf.get(id ?? '') ?? id ?? '').sort();
};
const row = (page: Page, name: string) =>
  page.locator(`.span-row[data-span="${ids.get(name) ?? ''}"]`);

async function openTrace(id: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
  await page.goto(`${analysis.url}/traces/${id}`);
  await page.locator('.span-row').first().waitFor({ timeout: 30_000 });
  return page;
}

describe('the trace view', () => {
  it('highlights the critical path and what each service contributes to it', async () => {
    const page = await openTrace(traceId);
    expect(await spanNames(page, '.span-row.critical')).toEqual([...CRITICAL].sort());
    const shares = 'table[aria-label="critical path by service"] tbody tr';
    for (const [service, ms] of Object.entries(BY_SERVICE)) {
      expect(await page.locator(`${shares}[data-service="${service}"]`).textContent()).toContain(
        `${ms} ms (${ms / 10}%)`,
      );
    }
    // The orphan is drawn under the root, one level down.
    expect(await row(page, 'lost').getAttribute('aria-level')).toBe('2');
    await page.screenshot({ path: join(screenshotDir, 'trace-critical-path.png'), fullPage: true });
    await page.close();
  });

  it('marks the spans a search finds and dims the others', async () => {
    const page = await openTrace(traceId);
    await page.locator('input[name="spans"]').fill('select');
    await page.locator('.span-row.dimmed').first().waitFor();
    expect(await spanNames(page, '.span-row.match')).toEqual(['SELECT cart', 'SELECT price']);
    await page.screenshot({ path: join(screenshotDir, 'trace-search.png'), fullPage: true });
    await page.locator('input[name="spans"]').fill('db.system=redis');
    await page.locator('output', { hasText: '1 matching spans' }).waitFor();
    expect(await spanNames(page, '.span-row.match')).toEqual(['SELECT price']);
    await page.locator('input[name="spans"]').fill('');
    await page.locator('select[name="span-service"]').selectOption('back');
    await page.locator('input[name="only-matches"]').check();
    await page.locator('output', { hasText: '3 matching spans' }).waitFor();
    expect(await spanNames(page, '.span-row')).toEqual([
      'GET /cart',
      'POST /auth',
      'audit publish',
    ]);
    await page.screenshot({ path: join(screenshotDir, 'trace-search-only.png'), fullPage: true });
    await page.close();
  });

  it('collapses a subtree with its toggle and expands it from the keyboard', async () => {
    const page = await openTrace(traceId);
    const cart = row(page, 'GET /cart');
    await cart.locator('button.fold').click();
    expect(await cart.getAttribute('aria-expanded')).toBe('false');
    expect(await spanNames(page, '.span-row')).toEqual(
      TREE.map((s) => s.name)
        .filter((name) => !name.startsWith('SELECT'))
        .sort(),
    );
    await cart.focus();
    await page.keyboard.press('ArrowRight');
    await row(page, 'SELECT price').waitFor();
    expect(await spanNames(page, '.span-row')).toEqual(TREE.map((s) => s.name).sort());
    await page.close();
  });

  it('draws a trace whose spans are each other’s parents, under its root', async () => {
    const page = await openTrace(cycleTraceId);
    await page.locator('p.muted', { hasText: '3 spans' }).waitFor();
    const levels = [];
    for (const r of await page.locator('.span-row').all()) {
      levels.push(`${(await r.textContent()) ?? ''}:${(await r.getAttribute('aria-level')) ?? ''}`);
    }
    expect(levels.map((l) => l.replace(/^.*cron\s*/, '').replace(/[\d.]+ ms/, ''))).toEqual([
      'job:1',
      'x:2',
      'y:3',
    ]);
    await page.close();
  });
});
