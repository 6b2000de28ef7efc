import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { launchBrowser, screenshotDir } from '../../tools/harness/browser.ts';
import type { RunningApp } from '../../tools/harness/instrumented-app.ts';
import { startAnalysis } from '../support/analysis-service.ts';
import { demoTraffic, startDemoServices } from '../support/demo-services.ts';
import { stack } from '../../tools/harness/otlp.ts';
import { loadStackSettings } from '../../tools/stack/settings.ts';
import { startServer, stopServer } from '../../tools/stack/stack.ts';
import { upTo } from '../support/polling.ts';

/**
 * The console in a real browser (Debian's Chromium through playwright-core), against the test
 * stack and the demo services: what a person opening it would see and click.
 */
const run = Date.now().toString(36);
const frontendService = `console-frontend-${run}`;
const backendService = `console-backend-${run}`;
const TOKEN = 'console-test-token-0123456789';
/** Where compose's Jaeger UI would be: the console links traces there when told. */
const JAEGER_UI = 'http://127.0.0.1:16686';
const apps: RunningApp[] = [];
let browser: Browser;
let frontend: RunningApp;
let backend: RunningApp;
let analysis: RunningApp;
let secured: RunningApp;
let traffic: { stop: () => void } | undefined;

/**
 * An analysis service on the test stack. Only one may evaluate the rule: two evaluating it would
 * each record the burst's transitions, and the alert page would show each of them twice.
 */
async function analysisService(
  env: Record<string, string> = {},
  evaluates = true,
): Promise<RunningApp> {
  const rules = join(mkdtempSync(join(tmpdir(), 'lantern-rules-')), 'rules.yaml');
  writeFileSync(
    rules,
    (evaluates
      ? [
          'rules:',
          '  - name: console-burst',
          '    kind: error_rate',
          '    threshold: 0.2',
          '    min_requests: 10',
          '    window: 15s',
          '    severity: high',
          `    service: ${frontendService}`,
          '    annotations:',
          "      summary: '{{service}}: {{value}} of requests failed'",
          'slos:',
          `  - { name: console-availability, service: ${frontendService}, kind: availability, objective: 0.99 }`,
        ]
      : ['rules: []']
    ).join('\n'),
  );
  const app = await startAnalysis({
    LANTERN_RULES_FILE: rules,
    LANTERN_ES_URL: stack.elasticsearch,
    LANTERN_ALERTMANAGER_URL: stack.alertmanager,
    LANTERN_COLLECTOR_HEALTH_URL: stack.collectorHealth,
    LANTERN_JAEGER_URL: stack.jaeger,
    LANTERN_JAEGER_UI_URL: JAEGER_UI,
    ...env,
  });
  apps.push(app);
  return app;
}

beforeAll(async () => {
  browser = await launchBrowser();
  ({ backend, frontend } = await startDemoServices(
    { frontend: frontendService, backend: backendService },
    apps,
  ));
  analysis = await analysisService();
  secured = await analysisService({ LANTERN_API_TOKEN: TOKEN }, false);
  traffic = demoTraffic(frontend);
}, 180_000);

afterAll(async () => {
  traffic?.stop();
  await browser.close();
  await Promise.all(apps.map((app) => app.stop()));
});

async function open(path: string, base = analysis.url): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${base}${path}`);
  return page;
}

const shoot = (page: Page, name: string) =>
  page.screenshot({ path: join(screenshotDir, `${name}.png`) });

/** Makes the demo backend fail this share of its requests: the frontend answers 502 for them. */
const setFaults = (errorRate: number) =>
  fetch(`${backend.url}/_demo/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ errorRate }),
  });

describe('the console in a real browser', () => {
  it('the overview lists both demo services with non-zero request rates', async () => {
    const page = await open('/');
    for (const service of [frontendService, backendService]) {
      const rate = page.locator(`tr[data-service="${service}"] td[data-field="rate"]`);
      await expect
        .poll(async () => {
          await page.reload();
          await rate.waitFor({ timeout: 10_000 }).catch(() => undefined);
          return Number((await rate.textContent().catch(() => null)) ?? 0);
        }, upTo(60_000))
        .toBeGreaterThan(0);
    }
    // Each row's sparkline (all from one request-rate query) draws the traffic.
    for (const service of [frontendService, backendService]) {
      const sparkline = page.locator(`tr[data-service="${service}"] .sparkline`);
      await expect
        .poll(async () => {
          await page.reload();
          await sparkline.waitFor({ timeout: 10_000 }).catch(() => undefined);
          return Number((await sparkline.getAttribute('data-nonzero').catch(() => null)) ?? 0);
        }, upTo(60_000))
        .toBeGreaterThan(0);
    }
    for (const component of ['elasticsearch', 'collector', 'jaeger', 'alertmanager']) {
      expect(
        await page.locator(`li[data-component="${component}"]`).getAttribute('data-state'),
        component,
      ).toBe('up');
    }
    await shoot(page, 'overview');
    await page.close();
  });

  it('the storage page shows what the demo stored today: documents, bytes, bytes per record', async () => {
    const page = await open('/storage');
    // The Collector names daily indices by the UTC ingest date.
    const today = new Date().toISOString().slice(0, 10);
    const row = page.locator(`table[data-signal="spans"] tr[data-day="${today}"]`);
    // The demo's first spans reach today's index within seconds of its first requests (the
    // index exists, empty, from the first write until its first refresh).
    const documents = row.locator('td').nth(2);
    await expect
      .poll(async () => {
        await page.reload();
        await row.waitFor({ timeout: 10_000 }).catch(() => undefined);
        return Number((await documents.textContent().catch(() => null))?.replace('k', '') ?? 0);
      }, upTo(60_000))
      .toBeGreaterThan(0);
    const [day, index, , bytes, perRecord] = await row.locator('td').allTextContents();
    expect(day).toBe(today);
    expect(index).toBe(`lantern-spans-${today.replaceAll('-', '.')}`);
    expect(bytes).toMatch(/^\d+(\.\d)? (B|KiB|MiB|GiB)$/);
    expect(perRecord).toMatch(/^\d+ B$/);
    await page.close();
  });

  it('the service page shows its SLO: the SLI against the objective, the budget left', async () => {
    const page = await open(`/services/${frontendService}`);
    const row = page.locator('table[aria-label="SLOs"] tr[data-slo="console-availability"]');
    await row.waitFor({ timeout: 30_000 });
    const cells = await row.locator('td').allTextContents();
    // No request of the demo has failed yet: all of the budget is left.
    expect(cells.slice(1, 3)).toEqual(['100% / 99%', '100%']);
    expect(cells[3]).toBe('5m 0× · 30m 0× · 1h 0× · 6h 0× · 3d 0×');
    expect(cells[4]).toBe('none');
    await shoot(page, 'service');
    await page.close();
  });

  it('a burst fires an alert, which can be silenced; its exemplar opens the trace with both services and its logs; a log selects its span', async () => {
    // Failures in the backend: the frontend answers 502, and each failing trace holds the spans
    // and the error logs of both services.
    await setFaults(0.6);
    // This service's alerts only: other suites leave alerts of their own in the test stack.
    const page = await open(`/alerts?service=${frontendService}`);
    try {
      const exemplar = page.locator('tr[data-alert] a.trace-link').first();
      await expect
        .poll(async () => {
          await page.reload();
          return exemplar.count();
        }, upTo(90_000))
        .toBeGreaterThan(0);
      expect(await page.locator('tr[data-alert] .state').first().textContent()).toBe('firing');
      await shoot(page, 'alerts');
      // The alert's page: silence it in Alertmanager through Lantern's API, then its exemplar.
      await page.locator('tr[data-alert] a[href^="/alerts/"]').first().click();
      await page.waitForURL(/\/alerts\/[0-9a-f]{20}$/);
      await page.fill('form.silence input[name="comment"]', 'looking into it');
      await page.click('form.silence button');
      const status = page.locator('form.silence [role="status"]');
      await status.waitFor();
      expect(await status.textContent()).toMatch(/^Silenced until .+ \(silence [0-9a-f-]{36}\)\.$/);
      // Its error rate over the episode, drawn against the threshold: the bucket still filling,
      // where the burst is, among the points; and its firing transition in the history.
      await page
        .locator('figure.alert-trend:not([data-values="0"]) canvas')
        .first()
        .waitFor({ timeout: 30_000 });
      await page.locator('ol.timeline li').first().waitFor({ timeout: 30_000 });
      // One evaluator, one firing transition: a second one would show the same step twice.
      expect(await page.locator('ol.timeline li', { hasText: '→ firing' }).count()).toBe(1);
      await shoot(page, 'alert');
      await page.locator('ul.exemplars a').first().click();
      await page.waitForURL(/\/traces\/[0-9a-f]{32}$/);
      await page.locator('.span-row').first().waitFor();
      const services = await page.locator('.span-row .service-tag').allTextContents();
      expect(new Set(services)).toEqual(new Set([frontendService, backendService]));
      const traceId = /\/traces\/([0-9a-f]{32})$/.exec(page.url())?.[1] ?? '';
      expect(await page.locator('a', { hasText: 'open in Jaeger' }).getAttribute('href')).toBe(
        `${JAEGER_UI}/trace/${traceId}`,
      );
      const logRows = page.locator('table[aria-label="trace logs"] tr');
      await expect
        .poll(async () => {
          await page.reload();
          await page.locator('.span-row').first().waitFor();
          return logRows.count();
        }, upTo())
        .toBeGreaterThan(0);
      const withSpan = page.locator('table[aria-label="trace logs"] tr:not([data-log-span=""])');
      const spanId = await withSpan.first().getAttribute('data-log-span');
      await withSpan.first().click();
      expect(
        await page.locator(`.span-row[data-span="${spanId ?? ''}"]`).getAttribute('aria-selected'),
      ).toBe('true');
      expect(await page.locator('.span-details').isVisible()).toBe(true);
      await shoot(page, 'trace');
    } finally {
      await setFaults(0);
      await page.close();
    }
  }, 180_000);

  it('a burst opens an incident, linked from its alert; its page is a timeline, acknowledged by hand', async () => {
    await setFaults(0.6);
    const page = await open(`/incidents?status=active&service=${frontendService}`);
    try {
      const row = page.locator('tr[data-incident]').first();
      await expect
        .poll(async () => {
          await page.reload();
          return row.count();
        }, upTo(90_000))
        .toBeGreaterThan(0);
      expect(await row.locator('td').nth(3).textContent()).toBe(frontendService);
      await shoot(page, 'incidents');
      await row.locator('a[href^="/incidents/"]').click();
      await page.waitForURL(/\/incidents\/[0-9a-f]{20}$/);
      const incidentPath = new URL(page.url()).pathname;
      // The timeline has the signal that fired, its value in its words (the SLO's burn alerts
      // fire beside it, into the same incident).
      const fired = page.locator('ol.incident-timeline li[data-kind="signal-fired"]', {
        hasText: 'console-burst fired',
      });
      await fired.waitFor();
      expect(await fired.textContent()).toMatch(
        /console-burst fired: .+: [\d.]+% of requests failed/,
      );
      await page.fill('form.incident-actions input[name="by"]', 'ada');
      await page.fill('form.incident-actions input[name="note"]', 'backend faults on');
      await page.click('form.incident-actions button[value="acknowledge"]');
      await page
        .locator('form.incident-actions [role="status"]', { hasText: 'Incident acknowledged.' })
        .waitFor();
      const acked = page.locator('ol.incident-timeline li[data-kind="acknowledged"]');
      await acked.waitFor();
      expect(await acked.textContent()).toContain('acknowledged by ada: backend faults on');
      expect(await page.locator('header .status').textContent()).toBe('acknowledged');
      await shoot(page, 'incident');
      // The alert's page links its incident.
      await page.locator('table[aria-label="signals"] a[href^="/alerts/"]').first().click();
      await page.waitForURL(/\/alerts\/[0-9a-f]{20}$/);
      expect(await page.locator('dl.facts a[href^="/incidents/"]').getAttribute('href')).toBe(
        incidentPath,
      );
    } finally {
      await setFaults(0);
      await page.close();
    }
  }, 180_000);

  it('trace search finds the error traces', async () => {
    const page = await open(`/traces?service=${frontendService}&errors=true&range=15m`);
    const rows = page.locator('table[aria-label="traces"] tbody tr');
    await rows.first().waitFor({ timeout: 30_000 });
    const classes = await Promise.all(
      (await rows.all()).map(async (row) => (await row.getAttribute('class')) ?? ''),
    );
    expect(classes.length).toBeGreaterThan(0);
    expect(classes.every((c) => c.includes('failed'))).toBe(true);
    await shoot(page, 'traces');
    await page.close();
  });

  it('without the token, or with a wrong one, asks for it and shows no data', async () => {
    const page = await open('/', secured.url);
    await page.locator('form.token-prompt').waitFor();
    expect(await page.locator('.token-refused').count()).toBe(0); // asked, nothing refused yet
    expect(await page.locator('table[aria-label="services"]').count()).toBe(0);
    await page.fill('input[name="token"]', 'not-the-token');
    await page.click('form.token-prompt button');
    // Only the prompt after a refusal says so (the first one is still on screen until the
    // click re-renders, so waiting for the form would not wait for the refusal).
    await page.locator('.token-refused').waitFor();
    expect(await page.locator('.token-refused').textContent()).toContain('That token was refused');
    expect(await page.locator(`tr[data-service]`).count()).toBe(0);
    await shoot(page, 'token-prompt');
    await page.fill('input[name="token"]', TOKEN);
    await page.click('form.token-prompt button');
    await page.locator(`tr[data-service="${frontendService}"]`).waitFor({ timeout: 30_000 });
    expect(page.url()).not.toContain(TOKEN);
    await page.close();
  });

  it('with Elasticsearch stopped shows a clear banner, and recovers when it is back', async () => {
    const page = await open('/');
    await page.locator(`tr[data-service="${frontendService}"]`).waitFor({ timeout: 30_000 });
    // This banner, not another (the storage warning shows on a disk others filled).
    const banner = page.locator('.banner[data-problem]');
    await stopServer('elasticsearch', loadStackSettings());
    try {
      await banner.waitFor({ timeout: 30_000 }); // the overview refreshes every 10 s
      expect(await banner.textContent()).toContain('Elasticsearch is unreachable');
      expect(
        await page.locator('li[data-component="elasticsearch"]').getAttribute('data-state'),
      ).toBe('down');
      await shoot(page, 'elasticsearch-down');
    } finally {
      await startServer('elasticsearch', loadStackSettings());
    }
    // Back means the API answers again (shards recover some seconds after the node is up);
    // from then on the page must recover by itself within two of its 10 s refreshes.
    const answered = await vi
      .waitFor(async () => {
        const answer = await fetch(`${analysis.url}/api/v1/services`).catch(() => undefined);
        if (answer?.status !== 200) throw new Error(`answered ${String(answer?.status)}`);
        return answer.status;
      }, upTo(120_000))
      .catch(() => undefined);
    // If the service itself went away, say so with its last words.
    const lastWords = `${analysis.stdout().slice(-1500)}${analysis.stderr().slice(-1500)}`;
    expect(
      answered,
      `analysis service (exit ${String(analysis.child.exitCode)}): ${lastWords}`,
    ).toBe(200);
    await banner.waitFor({ state: 'detached', timeout: 25_000 });
    // The health dot follows cluster health, which stays red until every primary shard has
    // recovered: a refresh or two after the data queries answer again.
    const esDot = page.locator('li[data-component="elasticsearch"]');
    await page
      .locator('li[data-component="elasticsearch"]:not([data-state="down"])')
      .waitFor({ timeout: 35_000 })
      .catch(() => undefined);
    expect(await esDot.getAttribute('data-state')).not.toBe('down');
    await page.close();
  }, 240_000);
});
