import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse, stringify } from 'yaml';
import { runningPid } from './daemon.ts';
import { repoRoot, type StackPaths } from './paths.ts';
import { answers } from './ports.ts';
import type { StackServer } from './server.ts';
import { collectorEndpoints, settingsEnv, type StackSettings } from './settings.ts';
import { collectorsOfTier } from './topology.ts';

/**
 * The gateways' list of tail-sampling Collectors, merged over otel-collector.gateway.yaml (a
 * third --config). The loadbalancing exporter's static resolver never drops a backend, so a
 * killed sampling Collector would keep its share of traces waiting until it is back. What
 * Kubernetes' endpoints give that exporter's k8s resolver, the router gives the static one: it
 * asks each sampling Collector's health endpoint every second, and when the set that answers
 * changes it rewrites this file and sends every gateway SIGHUP, on which a Collector reloads its
 * configuration. What waits in a gateway's persistent queue is then routed on the new ring.
 * Written by hand: no Collector component keeps a static list live.
 */
export const routesFile = (paths: StackPaths): string => join(paths.runDir, 'sampling-routes.yaml');
/** What the router last saw: which sampling Collectors are routed to, since when. */
export const routerStatusFile = (paths: StackPaths): string =>
  join(paths.runDir, 'sampling-routes.status.json');

export interface RouterStatus {
  readonly routed: readonly string[];
  readonly changedAt: string;
  readonly checkedAt: string;
}

const POLL_MS = 1000;

const samplersOf = (s: StackSettings) =>
  collectorsOfTier(s, 'sampling').map((instance) => ({
    instance,
    ...collectorEndpoints(s, instance),
  }));

const writeAtomically = (path: string, text: string): void => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.new`, text);
  renameSync(`${path}.new`, path);
};

/** Writes the routes file: these OTLP gRPC endpoints, in the order of the profile. */
export function writeRoutes(paths: StackPaths, hostnames: readonly string[]): void {
  writeAtomically(
    routesFile(paths),
    `# Written by Lantern's sampling router (tools/stack/sampling-router.ts): the tail-sampling\n` +
      `# Collectors that answer their health check. Rewritten when that changes.\n` +
      stringify({ exporters: { loadbalancing: { resolver: { static: { hostnames } } } } }),
  );
}

/**
 * The routes a gateway starts with: the file as the router left it, or, the first time, every
 * sampling Collector of the profile (the router corrects it within a second).
 */
export function ensureRoutes(s: StackSettings): void {
  if (!existsSync(routesFile(s.paths))) {
    writeRoutes(
      s.paths,
      samplersOf(s).map((sampler) => sampler.otlpGrpc),
    );
  }
}

/** The hostnames the routes file holds now. */
function currentRoutes(paths: StackPaths): string[] {
  const routes = parse(readFileSync(routesFile(paths), 'utf8')) as {
    exporters?: { loadbalancing?: { resolver?: { static?: { hostnames?: string[] } } } };
  };
  return routes.exporters?.loadbalancing?.resolver?.static?.hostnames ?? [];
}

export function readRouterStatus(paths: StackPaths): RouterStatus | undefined {
  const file = routerStatusFile(paths);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as RouterStatus;
}

/** Runs until the process ends: the loop of `node bin/sampling-router.ts`. */
export async function routeSamplers(s: StackSettings, log: (line: string) => void): Promise<void> {
  const samplers = samplersOf(s);
  const gateways = collectorsOfTier(s, 'gateway');
  ensureRoutes(s);
  // The router is the file's only writer once the stack runs: read it once, then keep it here.
  let routed = currentRoutes(s.paths);
  let changedAt = new Date().toISOString();
  for (;;) {
    const up = await Promise.all(
      samplers.map((sampler) =>
        answers(sampler.collectorHealth, undefined, 800).catch(() => false),
      ),
    );
    const live = samplers.filter((_, i) => up[i]).map((sampler) => sampler.otlpGrpc);
    // With none answering, the last list stays: spans wait in the gateways' queues.
    if (live.length > 0 && live.join() !== routed.join()) {
      routed = live;
      changedAt = new Date().toISOString();
      writeRoutes(s.paths, routed);
      for (const gateway of gateways) {
        const pid = runningPid(s.paths, gateway.name);
        if (pid !== undefined) process.kill(pid, 'SIGHUP');
      }
      log(`routing traces to ${routed.join(', ')}; gateways reloaded`);
    }
    writeAtomically(
      routerStatusFile(s.paths),
      JSON.stringify({ routed, changedAt, checkedAt: new Date().toISOString() }),
    );
    await sleep(POLL_MS);
  }
}

export const samplingRouter: StackServer = {
  name: 'sampling-router',
  startTimeoutSeconds: 15,
  dataDirs: () => [],
  ports: () => [],
  obtain: () => Promise.resolve(),
  daemon: (s) => ({
    name: 'sampling-router',
    command: process.execPath,
    args: [join(repoRoot, 'bin', 'sampling-router.ts')],
    // The profile's settings, which bin/sampling-router.ts reads back.
    env: settingsEnv(s),
    cwd: repoRoot,
    signature: 'bin/sampling-router.ts',
  }),
  // Healthy while it keeps checking: its status file is fresh.
  healthy: (_e, s) => {
    const file = routerStatusFile(s.paths);
    return Promise.resolve(existsSync(file) && Date.now() - statSync(file).mtimeMs < 3 * POLL_MS);
  },
  describe: (_e, s) =>
    `gateways route to the sampling Collectors that answer (${routesFile(s.paths)})`,
};
