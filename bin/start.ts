/**
 * `npm start`: the local stack, the two demo services instrumented with `--import
 * lantern/register`, and steady traffic, until Ctrl-C. The stack stays up afterwards
 * (`npm run stack:down` stops it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
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
const rate = process.env.DEMO_RATE ?? '20';
const children: ChildProcess[] = [];

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
  children.push(child);
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
  ]);
  const settings = loadStackSettings(process.env);
  const { paths } = settings;
  const e = await stackUp(settings);
  const otlp = { OTEL_EXPORTER_OTLP_ENDPOINT: e.otlpHttp };
  const backend = service(paths, 'demo-backend', 'demo/backend.mjs', backendPort, otlp);
  const frontend = service(paths, 'demo-frontend', 'demo/frontend.mjs', frontendPort, {
    ...otlp,
    BACKEND_URL: `http://127.0.0.1:${backendPort}`,
  });
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
  await ready(paths, 'demo-backend', backend, `http://127.0.0.1:${backendPort}/_demo/faults`);
  await ready(paths, 'demo-frontend', frontend, `http://127.0.0.1:${frontendPort}/health`);
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

Ctrl-C stops the demo; the stack keeps running (npm run stack:down stops it).`);
}

function stop(): void {
  for (const child of children) child.kill('SIGTERM');
}

process.once('SIGINT', stop);
process.once('SIGTERM', stop);
main().catch((error: unknown) => {
  console.error(`[lantern] error: ${error instanceof StackError ? error.message : String(error)}`);
  stop();
  process.exitCode = 1;
});
