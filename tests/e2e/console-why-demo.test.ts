import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { launchBrowser, screenshotDir } from '../../tools/harness/browser.ts';
import { startApp, type RunningApp } from '../../tools/harness/instrumented-app.ts';
import { stack } from '../../tools/harness/otlp.ts';
import { startAnalysis } from '../support/analysis-service.ts';
import { upTo } from '../support/polling.ts';

/**
 * The demo's faults as a user injects them, through the bootstrap's sampler and the Collector,
 * and the alert each raises opened in a real browser: one route made to fail ranks that route
 * first; a version shipped bad (the old process replaced by one of a new service.version) ranks
 * that version first.
 */
const run = Date.now().toString(36);
const ROUTE_SERVICE = `why-route-${run}`;
const VERSION_SERVICE = `why-version-${run}`;
const FAILING_ROUTE = '/checkout/:sku';
const apps: RunningApp[] = [];
let browser: Browser;
let analysis: RunningApp;
let backend: RunningApp;
let trafficOn = true;

function frontend(service: string, version: string, env: Record<string, string> = {}) {
  return startApp({
    loader: '--import',
    script: 'demo/frontend.mjs',
    service,
    env: {
      DEMO_ERROR_RATE: '0',
      BACKEND_URL: backend.url,
      OTEL_RESOURCE_ATTRIBUTES: `service.version=${version}`,
      ...env,
    },
  }).then((app) => {
    apps.push(app);
    return app;
  });
}

/** About 20 requests/s to whichever process `target` names now, both routes in turn. */
function traffic(target: () => string) {
  void (async () => {
    for (let i = 0; trafficOn; i += 1) {
      const path = i % 2 === 0 ? `/checkout/sku-${i % 50}` : `/products/sku-${i % 50}`;
      const response = await fetch(`${target()}${path}`).catch(() => undefined);
      await response?.arrayBuffer();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
}

const rule = (name: string, service: string) => [
  `  - name: ${name}`,
  '    kind: error_rate',
  '    threshold: 0.1',
  '    min_requests: 20',
  '    window: 2m',
  '    severity: high',
  `    service: ${service}`,
];

let routeApp: RunningApp;
let versionApp: RunningApp;
beforeAll(async () => {
  browser = await launchBrowser();
  backend = await startApp({
    loader: '--import',
    script: 'demo/backend.mjs',
    service: `why-backend-${run}`,
    env: { DEMO_ERROR_RATE: '0' },
  });
  apps.push(backend);
  const rules = join(mkdtempSync(join(tmpdir(), 'lantern-rules-')), 'rules.yaml');
  writeFileSync(
    rules,
    ['rules:', ...rule('why-route', ROUTE_SERVICE), ...rule('why-version', VERSION_SERVICE)].join(
      '\n',
    ),
  );
  analysis = await startAnalysis({
    LANTERN_RULES_FILE: rules,
    LANTERN_ES_URL: stack.elasticsearch,
  });
  apps.push(analysis);
  [routeApp, versionApp] = await Promise.all([
    frontend(ROUTE_SERVICE, '1.4.0'),
    frontend(VERSION_SERVICE, '1.4.0'),
  ]);
  traffic(() => routeApp.url);
  traffic(() => versionApp.url);
  // A minute of healthy traffic, then the faults: one route fails half its requests; the other
  // service's 1.4.0 is replaced by a 1.5.0 that fails 40% of everything.
  await new Promise((resolve) => setTimeout(resolve, 60_000));
  const changed = await fetch(`${routeApp.url}/_demo/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ route: FAILING_ROUTE, errorRate: 0.5 }),
  });
  expect(changed.status).toBe(200);
  const bad = await frontend(VERSION_SERVICE, '1.5.0', { DEMO_ERROR_RATE: '0.4' });
  const old = versionApp;
  versionApp = bad;
  await old.stop();
}, 180_000);

afterAll(async () => {
  trafficOn = false;
  await browser.close();
  await Promise.all(apps.map((app) => app.stop()));
});

async function alertPage(service: string, ruleName: string, shot: string): Promise<Page> {
  let id = '';
  await vi.waitFor(async () => {
    const response = await fetch(`${analysis.url}/api/v1/alerts?service=${service}`);
    const body = (await response.json()) as { alerts: { id: string; rule: string }[] };
    id = body.alerts.find((a) => a.rule === ruleName)?.id ?? '';
    expect(id).not.toBe('');
  }, upTo(120_000));
  const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
  await page.goto(`${analysis.url}/alerts/${id}`);
  await page
    .locator('table[aria-label="what is different"] tbody tr')
    .first()
    .waitFor({ timeout: 30_000 });
  await page.screenshot({ path: join(screenshotDir, `${shot}.png`), fullPage: true });
  return page;
}

const first = (page: Page) =>
  page.locator('table[aria-label="what is different"] tbody tr').first();

describe('an alert from a demo fault says what is different', () => {
  it('ranks the route that fails first', async () => {
    const page = await alertPage(ROUTE_SERVICE, 'why-route', 'alert-why-route');
    expect(await first(page).getAttribute('data-key')).toBe('http.route');
    expect(await first(page).getAttribute('data-value')).toBe(FAILING_ROUTE);
    await page.close();
  }, 180_000);

  it('ranks the bad version first', async () => {
    const page = await alertPage(VERSION_SERVICE, 'why-version', 'alert-why-version');
    expect(await first(page).getAttribute('data-key')).toBe('service.version');
    expect(await first(page).getAttribute('data-value')).toBe('1.5.0');
    // The deploy that shipped it is listed around the onset, linking its comparison.
    const deploy = page.locator(
      'ul[aria-label="deploys around the onset"] li[data-version="1.5.0"]',
    );
    await deploy.waitFor({ timeout: 30_000 });
    expect(await deploy.locator('a').getAttribute('href')).toBe(
      `/services/${VERSION_SERVICE}?deploy=1.5.0`,
    );
    await page.close();
  }, 180_000);
});
