/**
 * `npm start`: the local stack, the two demo services instrumented with `--import
 * lantern/register` (run by the demo supervisor, which ships new versions of them on
 * `PUT /_demo/deploy`), and steady traffic, until Ctrl-C. The stack stays up afterwards
 * (`npm run stack:down` stops it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { DemoSupervisor, deployControl, type DemoProcess } from '../demo/supervisor.ts';
import { StackError } from '../tools/stack/errors.ts';
import { waitUntilHealthy } from '../tools/stack/daemon.ts';
import { logFile, repoRoot, type StackPaths } from '../tools/stack/paths.ts';
import { answers, assertPortsFree } from '../tools/stack/ports.ts';
import { requireNode } from '../tools/stack/require-node.ts';
import { loadStackSettings } from '../tools/stack/settings.ts';
import { stackUp } from '../tools/stack/stack.ts';

const apiPort = Number(process.env.PORT ?? 8080);
const frontendPort = Number(process.env.DEMO_FRONTEND_PORT ?? 8081);
const backendPort = Number(process.env.DEMO_BACKEND_PORT ?? 8082);
const controlPort = Number(process.env.DEMO_CONTROL_PORT ?? 8083);
/** The version the demo services run until one is shipped. */
const FIRST_VERSION = '1.4.0';
const rate = process.env.DEMO_RATE ?? '20';
const children: ChildProcess[] = [];
let supervisor: DemoSupervisor | undefined;
let control: Server | undefined;

/** A demo process (or the analysis service), logging to the stack's log folder. */
function service(
  paths: StackPaths,
  name: string,
  script: string,
  port: number,
  env: Record<string, string>,
  instrumented = true,
): ChildProcess {
  mkdirSync(paths.logDir, { recursive: true });
  const log = openSync(logFile(paths, name), 'a');
  const loader = instrumented ? ['--import', 'lantern/register'] : [];
  const child = spawn(process.execPath, [...loader, join(repoRoot, script)], {
    cwd: repoRoot,
    stdio: ['ignore', log, log],
    env: { ...process.env, OTEL_SERVICE_NAME: name, PORT: String(port), ...env },
  });
  return child;
}

/** Waits for a demo process to answer, failing fast with its log tail if it exits. */
function ready(paths: StackPaths, name: string, child: ChildProcess, url: string): Promise<void> {
  return waitUntilHealthy(paths, name, child.pid ?? 0, () => answers(url), 30_000);
}

async function main(): Promise<void> {
  requireNode();
  if (!existsSync(join(repoRoot, 'dist', 'tracing', 'register.js'))) {
    throw new StackError(
      'dist/ is missing: run `npm install` (it builds Lantern) or `npm run build`',
    );
  }
  await assertPortsFree('demo', [
    { port: apiPort, variable: 'PORT' },
    { port: frontendPort, variable: 'DEMO_FRONTEND_PORT' },
    { port: backendPort, variable: 'DEMO_BACKEND_PORT' },
    { port: controlPort, variable: 'DEMO_CONTROL_PORT' },
  ]);
  const settings = loadStackSettings(process.env);
  const { paths } = settings;
  const e = await stackUp(settings);
  const otlp = { OTEL_EXPORTER_OTLP_ENDPOINT: e.otlpHttp };
  // The supervisor stops the demo processes: a redeployed service is a new child each time.
  const demo = (name: string, script: string, port: number, env: Record<string, string>) => ({
    launch: (release: Readonly<Record<string, string>>) =>
      service(paths, name, script, port, { ...env, ...release }),
  });
  const processes: Record<string, DemoProcess> = {
    'demo-backend': {
      ...demo('demo-backend', 'demo/backend.mjs', backendPort, otlp),
      ready: (child) =>
        ready(paths, 'demo-backend', child, `http://127.0.0.1:${backendPort}/_demo/faults`),
      routes: ['/inventory/:sku'],
    },
    'demo-frontend': {
      ...demo('demo-frontend', 'demo/frontend.mjs', frontendPort, {
        ...otlp,
        BACKEND_URL: `http://127.0.0.1:${backendPort}`,
      }),
      ready: (child) =>
        ready(paths, 'demo-frontend', child, `http://127.0.0.1:${frontendPort}/health`),
      routes: ['/checkout/:sku', '/products/:sku'],
    },
  };
  supervisor = new DemoSupervisor(processes, process.env.OTEL_RESOURCE_ATTRIBUTES);
  const analysis = service(
    paths,
    'analysis',
    'bin/analysis.ts',
    apiPort,
    {
      LANTERN_ES_URL: e.elasticsearch,
      LANTERN_ALERTMANAGER_URL: e.alertmanager,
      LANTERN_COLLECTOR_HEALTH_URL: e.collectorHealth,
      LANTERN_JAEGER_URL: e.jaeger,
    },
    false,
  );
  children.push(analysis);
  await supervisor.deploy('demo-backend', { version: FIRST_VERSION });
  await supervisor.deploy('demo-frontend', { version: FIRST_VERSION });
  control = await deployControl(supervisor, controlPort);
  await ready(paths, 'analysis', analysis, `http://127.0.0.1:${apiPort}/healthz`);
  const traffic = spawn(process.execPath, [join(repoRoot, 'demo', 'traffic.mjs'), rate], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, FRONTEND_URL: `http://127.0.0.1:${frontendPort}` },
  });
  children.push(traffic);
  const api = `http://127.0.0.1:${apiPort}`;
  console.log(`
  Console               ${api}/

Lantern is running: demo-frontend (:${frontendPort}) → demo-backend (:${backendPort}), ${rate} requests/s,
analysis API and console on :${apiPort}.

  Alerts                ${api}/alerts   (API: ${api}/api/v1/alerts?state=all)
  Traces, with logs     ${api}/traces
  Logs of a trace       ${api}/api/v1/logs?traceId=<traceId>
  Services overview     ${api}/api/v1/services
  Error rate / latency  ${api}/api/v1/analysis/error-rate?service=demo-frontend
                        ${api}/api/v1/analysis/latency?service=demo-frontend
  API description       ${api}/api/v1/openapi.json
  Traces (Jaeger API)   ${e.jaeger}/api/traces?service=demo-frontend&limit=20
  One trace             ${e.jaeger}/api/traces/<traceId>
  Metrics               ${e.prometheus}/graph?g0.expr=lantern_sampler_traces_total
  Alertmanager          ${e.alertmanager}/api/v2/alerts
  Service logs          ${paths.logDir}/{demo-*,analysis}.log
  Inject faults         curl -X PUT localhost:${frontendPort}/_demo/faults -H 'content-type: application/json' -d '{"errorRate":0.3}'
                        curl -X PUT localhost:${backendPort}/_demo/faults -H 'content-type: application/json' -d '{"latencyMs":700}'
  One route only        curl -X PUT localhost:${frontendPort}/_demo/faults -H 'content-type: application/json' -d '{"route":"/checkout/:sku","errorRate":0.5}'
  Ship a bad version    curl -X PUT localhost:${controlPort}/_demo/deploy -H 'content-type: application/json' -d '{"service":"demo-frontend","version":"1.5.0","errorRate":0.3}'

Ctrl-C stops the demo; the stack keeps running (npm run stack:down stops it).`);
}

function stop(): void {
  for (const child of children) child.kill('SIGTERM');
  supervisor?.stop();
  // Its listening socket would keep this process up after the demo stopped.
  control?.close();
}

process.once('SIGINT', stop);
process.once('SIGTERM', stop);
main().catch((error: unknown) => {
  console.error(`[lantern] error: ${error instanceof StackError ? error.message : String(error)}`);
  stop();
  process.exitCode = 1;
});
