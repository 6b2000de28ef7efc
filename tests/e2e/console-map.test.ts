import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshotDir } from '../../tools/harness/browser.ts';
import type { RunningApp } from '../../tools/harness/instrumented-app.ts';
import { stack } from '../../tools/harness/otlp.ts';
import { startAnalysis } from '../support/analysis-service.ts';
import { demoTraffic, startDemoServices } from '../support/demo-services.ts';
import { upTo } from '../support/polling.ts';

/**
 * The service map in a real browser: the demo's frontend calling its backend, both under the
 * bootstrap, as a user runs them; the map draws both and the call, and a service opens its page.
 */
const run = Date.now().toString(36);
const frontendService = `map-frontend-${run}`;
const backendService = `map-backend-${run}`;
const apps: RunningApp[] = [];
let browser: Browser;
let analysis: RunningApp;
let traffic: { stop: () => void } | undefined;

beforeAll(async () => {
  browser = await launchBrowser();
  const { frontend } = await startDemoServices(
    { frontend: frontendService, backend: backendService },
    apps,
  );
  const rules = join(mkdtempSync(join(tmpdir(), 'lantern-rules-')), 'rules.yaml');
  writeFileSync(rules, 'rules: []\n');
  analysis = await startAnalysis({
    LANTERN_RULES_FILE: rules,
    LANTERN_ES_URL: stack.elasticsearch,
  });
  apps.push(analysis);
  traffic = demoTraffic(frontend);
}, 180_000);

afterAll(async () => {
  traffic?.stop();
  await browser.close();
  await Promise.all(apps.map((app) => app.stop()));
});

describe('the service map in a real browser', () => {
  it('draws the demo’s two services and their call; a call lists its traces, a service opens its page', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${analysis.url}/map?range=15m`);
    const edge = page.locator(
      `a.map-edge[data-caller="${frontendService}"][data-callee="${backendService}"]`,
    );
    await expect
      .poll(async () => {
        await page.reload();
        await edge.waitFor({ timeout: 10_000 }).catch(() => undefined);
        return edge.count();
      }, upTo(90_000))
      .toBe(1)
      .catch(async (error: unknown) => {
        // What the map was drawn from, and what the page said, to tell a missing call from a page
        // that failed.
        const answer = await (
          await fetch(`${analysis.url}/api/v1/service-map?from=${Date.now() - 900_000}`)
        ).text();
        const said = await page.locator('main').textContent();
        throw new Error(`no call drawn; the API answered ${answer}; the page says ${said}`, {
          cause: error,
        });
      });
    // The call's rate and both services' rates are drawn from the demo's traffic: not zero.
    const rateOf = async (selector: string) =>
      Number.parseFloat((await page.locator(selector).first().textContent()) ?? '0');
    expect(
      await rateOf(`a.map-edge[data-callee="${backendService}"] [data-field="rate"]`),
    ).toBeGreaterThan(0);
    for (const service of [frontendService, backendService])
      expect(
        await rateOf(`a.map-node[data-service="${service}"] [data-field="rate"]`),
      ).toBeGreaterThan(0);
    // No call goes the other way.
    expect(
      await page
        .locator(`a.map-edge[data-caller="${backendService}"][data-callee="${frontendService}"]`)
        .count(),
    ).toBe(0);
    await page.screenshot({ path: join(screenshotDir, 'map.png') });

    // The call lists the traces of the callee's requests, over the map's range.
    expect(await edge.getAttribute('href')).toBe(`/traces?service=${backendService}&range=15m`);
    await edge.click();
    await page.waitForURL(/\/traces\?service=/);
    await page.locator('tr[data-trace]').first().waitFor({ timeout: 30_000 });
    await page.goBack();
    await page.locator(`a.map-node[data-service="${frontendService}"]`).click();
    await page.waitForURL(new RegExp(`/services/${frontendService}$`));
    await page.locator('h1', { hasText: frontendService }).waitFor({ timeout: 10_000 });
    await page.close();
  });
});
