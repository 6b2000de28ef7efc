import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse, stringify } from 'yaml';
import { DemoSupervisor, deployControl, type DemoProcess } from '../../demo/supervisor.ts';
import type { DeploymentComparison } from '../../src/contracts/api/deployments.ts';
import type { RunningApp } from '../../tools/harness/instrumented-app.ts';
import { stack } from '../../tools/harness/otlp.ts';
import { repoRoot } from '../../tools/stack/paths.ts';
import { startAnalysis } from '../support/analysis-service.ts';
import { upTo } from '../support/polling.ts';

/**
 * The demo as `npm start` runs it (demo/supervisor.ts, the services under `--import
 * lantern/register`, 20 requests a second through the real Collector into Elasticsearch),
 * with the analysis service evaluating the shipped faulty-deployment rule: a pure version bump
 * is judged not worse, a version that fails 30% of requests fires, and a fault can hit one
 * route only.
 */
const run = Date.now().toString(36);
const FRONTEND = `demo-frontend-${run}`;
const BACKEND = `demo-backend-${run}`;
const children: ChildProcess[] = [];
let supervisor: DemoSupervisor;
let control: Server | undefined;
let analysis: RunningApp | undefined;
let frontendUrl = '';
let controlUrl = '';
let trafficOn = true;

async function freePort(): Promise<number> {
  const server: Server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  return typeof address === 'object' && address ? address.port : 0;
}

/** One demo service on a fixed port (a redeploy reuses it), its base error rate 0. */
function demoProcess(name: string, script: string, port: number, env: Record<string, string>) {
  const url = `http://127.0.0.1:${String(port)}`;
  return {
    launch: (release: Readonly<Record<string, string>>) => {
      const child = spawn(
        process.execPath,
        ['--import', 'lantern/register', join(repoRoot, script)],
        {
          cwd: repoRoot,
          stdio: 'ignore',
          env: {
            ...process.env,
            OTEL_SERVICE_NAME: name,
            OTEL_EXPORTER_OTLP_ENDPOINT: stack.otlpHttp,
            PORT: String(port),
            DEMO_ERROR_RATE: '0',
            ...env,
            ...release,
          },
        },
      );
      children.push(child);
      return child;
    },
    ready: async (child: ChildProcess) => {
      await vi.waitFor(async () => {
        if (child.exitCode !== null) throw new Error(`${name} exited (${String(child.exitCode)})`);
        expect((await fetch(`${url}/_demo/faults`)).status).toBe(200);
      }, upTo(30_000));
    },
    url,
  };
}

const put = (url: string, body: unknown) =>
  fetch(url, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

async function comparison(version: string): Promise<DeploymentComparison> {
  const answer = await fetch(
    `${analysis?.url ?? ''}/api/v1/deployments/comparison?service=${FRONTEND}&version=${version}`,
  );
  expect(answer.status).toBe(200);
  return (await answer.json()) as DeploymentComparison;
}

interface ApiAlert {
  rule: string;
  startsAt: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
async function deployAlerts(state: string): Promise<ApiAlert[]> {
  const answer = await fetch(
    `${analysis?.url ?? ''}/api/v1/alerts?service=${FRONTEND}&state=${state}`,
  );
  const { alerts } = (await answer.json()) as { alerts: ApiAlert[] };
  return alerts.filter((alert) => alert.rule === 'faulty-deployment');
}

beforeAll(async () => {
  const [frontendPort, backendPort, controlPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const backend = demoProcess(BACKEND, 'demo/backend.mjs', backendPort, {});
  const frontend = demoProcess(FRONTEND, 'demo/frontend.mjs', frontendPort, {
    BACKEND_URL: backend.url,
  });
  frontendUrl = frontend.url;
  controlUrl = `http://127.0.0.1:${String(controlPort)}/_demo/deploy`;
  const processes: Record<string, DemoProcess> = {
    [BACKEND]: { ...backend, routes: ['/inventory/:sku'] },
    [FRONTEND]: { ...frontend, routes: ['/checkout/:sku', '/products/:sku'] },
  };
  supervisor = new DemoSupervisor(processes);
  await supervisor.deploy(BACKEND, { version: '1.4.0' });
  await supervisor.deploy(FRONTEND, { version: '1.4.0' });
  control = await deployControl(supervisor, controlPort);
  // The shipped rule, alone.
  const shipped = parse(readFileSync(join(repoRoot, 'config', 'rules.yaml'), 'utf8')) as {
    rules: { kind: string }[];
  };
  const rules = join(mkdtempSync(join(tmpdir(), 'lantern-rules-')), 'rules.yaml');
  writeFileSync(
    rules,
    stringify({ rules: shipped.rules.filter((r) => r.kind === 'faulty_deployment') }),
  );
  analysis = await startAnalysis({
    LANTERN_RULES_FILE: rules,
    LANTERN_ES_URL: stack.elasticsearch,
  });
  // The demo's traffic: 20 requests a second, two product pages for each checkout. A request
  // refused while the frontend restarts counts as nothing.
  void (async () => {
    for (let sent = 0; trafficOn; sent += 1) {
      const route = sent % 3 === 0 ? 'checkout' : 'products';
      void fetch(`${frontendUrl}/${route}/sku-${String(sent % 500)}`)
        .then((response) => response.arrayBuffer())
        .catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
}, 120_000);

afterAll(async () => {
  trafficOn = false;
  control?.close();
  supervisor.stop();
  await analysis?.stop();
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('the demo ships versions', () => {
  it('judges a pure version bump not worse, and fires for a version failing 30%', async () => {
    // One minute of 1.4.0 traffic before the bump, so the comparison has a before window.
    await vi.waitFor(async () => {
      expect((await comparison('1.4.0')).after?.requests ?? 0).toBeGreaterThan(600);
    }, upTo(120_000));
    const bump = await put(controlUrl, { service: FRONTEND, version: '1.4.1' });
    expect(bump.status).toBe(200);
    expect(await (await fetch(`${frontendUrl}/health`)).json()).toEqual({
      ok: true,
      version: '1.4.1',
    });
    const neutral = await vi.waitFor(async () => {
      const judged = await comparison('1.4.1');
      expect(judged.verdict).not.toBe('too-early');
      return judged;
    }, upTo(180_000));
    expect(neutral).toMatchObject({ previousVersion: '1.4.0', verdict: 'not-worse' });

    const shipped = Date.now();
    const bad = await put(controlUrl, { service: FRONTEND, version: '1.5.0', errorRate: 0.3 });
    expect(bad.status).toBe(200);
    const firing = await vi.waitFor(async () => {
      const [alert] = await deployAlerts('firing');
      expect(alert?.labels.version).toBe('1.5.0');
      return alert;
    }, upTo(300_000));
    const seconds = (Date.parse(firing?.startsAt ?? '') - shipped) / 1000;
    console.log(`faulty-deployment fired ${seconds.toFixed(0)} s after shipping 1.5.0`);
    expect(firing?.annotations).toMatchObject({
      previous_version: '1.4.1',
      comparison: `/services/${FRONTEND}?deploy=1.5.0`,
    });
    expect(firing?.annotations.evidence).toMatch(/^error rate \d/);
    // The neutral bump, judged on every evaluation since, never fired.
    expect((await deployAlerts('all')).map((alert) => alert.labels.version)).toEqual(['1.5.0']);
  }, 600_000);

  it('fails one route only, and refuses a route or service the demo does not have', async () => {
    expect((await put(`${frontendUrl}/_demo/faults`, { errorRate: 0 })).status).toBe(200);
    const fault = await put(`${frontendUrl}/_demo/faults`, {
      route: '/checkout/:sku',
      errorRate: 1,
    });
    expect(await fault.json()).toMatchObject({
      errorRate: 0,
      routes: { '/checkout/:sku': { errorRate: 1 } },
      version: '1.5.0',
    });
    const statuses = async (route: string) =>
      Promise.all(
        Array.from(
          { length: 10 },
          async (_, i) => (await fetch(`${frontendUrl}/${route}/sku-${String(i)}`)).status,
        ),
      );
    expect(new Set(await statuses('checkout'))).toEqual(new Set([500]));
    expect(new Set(await statuses('products'))).toEqual(new Set([200]));
    const badRoute = await put(`${frontendUrl}/_demo/faults`, { route: '/nope', errorRate: 1 });
    expect(badRoute.status).toBe(400);
    const badService = await put(controlUrl, { service: 'nope', version: '2.0.0' });
    expect(badService.status).toBe(400);
    expect(((await badService.json()) as { error: { message: string } }).error.message).toMatch(
      /^parameter "service"/,
    );
    const badVersion = await put(controlUrl, { service: FRONTEND, version: 'a b' });
    expect(((await badVersion.json()) as { error: { message: string } }).error.message).toMatch(
      /^parameter "version"/,
    );
  });
});
