import { createElasticsearchClient } from '../../src/storage/client.ts';
import { installIndexTemplates } from '../../src/storage/templates.ts';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { alertmanager } from './alertmanager.ts';
import { writeComposeCredentials } from './compose-credentials.ts';
import { analysisServers } from './analysis.ts';
import { collector, collectorServer } from './collector.ts';
import { ensureStackCredentials, esLogin, secureDir } from './credentials.ts';
import { samplingRouter } from './sampling-router.ts';
import { runningPid, startDaemon, stopDaemon, waitUntilHealthy } from './daemon.ts';
import { elasticsearch, elasticsearchServer, refreshSecurity } from './elasticsearch.ts';
import { StackError } from './errors.ts';
import { jaeger } from './jaeger.ts';
import { jaegerStorage } from './jaeger-storage.ts';
import { withLock } from './lock.ts';
import { assertPortsFree } from './ports.ts';
import { prometheus } from './prometheus.ts';
import { step } from './progress.ts';
import type { StackServer } from './server.ts';
import {
  elasticsearchUrls,
  endpoints,
  type StackEndpoints,
  type StackSettings,
} from './settings.ts';
import { collectorsOfTier, elasticsearchNodes, type CollectorTier } from './topology.ts';

/**
 * Makes the secured stack's certificates, secrets and login files (once; kept as they are
 * afterwards), for `stack:up --secure` and for compose.secure.yaml, without starting anything.
 */
export async function stackCredentials(s: StackSettings): Promise<void> {
  writeComposeCredentials(secureDir(s.paths), await ensureStackCredentials(s));
}

/**
 * The servers of the profile the settings name, in start order: storage first, then what writes
 * to it (tail-sampling Collectors before the gateways that send to them), then what watches.
 */
export function serversOf(s: StackSettings): readonly StackServer[] {
  const tier = (name: CollectorTier) => collectorsOfTier(s, name).map(collectorServer);
  return [
    ...elasticsearchNodes(s).map(elasticsearchServer),
    jaegerStorage,
    jaeger,
    ...tier('single'),
    ...tier('sampling'),
    ...tier('gateway'),
    ...(s.LANTERN_SCALE ? [samplingRouter] : []),
    prometheus,
    alertmanager,
    ...analysisServers(s),
  ];
}

/**
 * Obtains what is missing. Downloads (Maven, apt) overlap with the Go builds; the two Go builds
 * run one after the other so they do not fight over two cores.
 */
async function obtainAll(s: StackSettings): Promise<void> {
  await Promise.all([
    elasticsearch.obtain(s),
    (async () => {
      await prometheus.obtain(s);
      await alertmanager.obtain(s);
    })(),
    (async () => {
      await jaeger.obtain(s);
      await collector.obtain(s);
    })(),
  ]);
}

async function start(server: StackServer, s: StackSettings, e: StackEndpoints): Promise<void> {
  let pid = runningPid(s.paths, server.name);
  if (pid !== undefined) {
    step(server.name, `already running (pid ${pid})`);
  } else {
    await assertPortsFree(server.name, server.ports(s));
    await server.prepare?.(s);
    pid = startDaemon(s.paths, server.daemon(s));
    step(server.name, `started (pid ${pid}), waiting until healthy`);
  }
  await waitUntilHealthy(
    s.paths,
    server.name,
    pid,
    () => server.healthy(e, s),
    server.startTimeoutSeconds * 1000,
  );
  step(server.name, `healthy: ${server.describe(e, s)}`);
}

/**
 * Brings the whole stack up on loopback; harmless when it already runs. Index templates are
 * installed before the Collector starts, so no document is ever mapped dynamically.
 */
export function stackUp(s: StackSettings): Promise<StackEndpoints> {
  return withLock(s.paths.runDir, 'stack:up', () => bringUp(s));
}

async function bringUp(s: StackSettings): Promise<StackEndpoints> {
  const e = endpoints(s);
  const servers = serversOf(s);
  if (s.LANTERN_SCALE && s.LANTERN_SECURE) {
    throw new StackError(
      'the scaled profile has no secured mode yet; start it without --secure (or the default profile with it)',
    );
  }
  assertSameMode(s);
  // Made once, before any server needs them (Elasticsearch's users, the Collector's token).
  if (s.LANTERN_SECURE) await stackCredentials(s);
  // Fail on a taken port before spending minutes on downloads and builds.
  for (const server of servers) {
    if (runningPid(s.paths, server.name) === undefined) {
      await assertPortsFree(server.name, server.ports(s));
    }
  }
  await obtainAll(s);
  // The nodes of a cluster start together: none is healthy until enough of them have met.
  const nodes = elasticsearchNodes(s).map(elasticsearchServer);
  const runningEs = runningPid(s.paths, elasticsearch.name);
  await Promise.all(nodes.map((node) => start(node, s, e)));
  if (s.LANTERN_SECURE && runningEs !== undefined) await refreshSecurity(s, e, runningEs);
  const url = elasticsearchUrls(s).join(',');
  const client = createElasticsearchClient(
    s.LANTERN_SECURE ? { url, ...esLogin('setup', s) } : { url },
  );
  try {
    const notUpgraded = await installIndexTemplates(client);
    step(nodes[0]?.name ?? 'elasticsearch', 'index templates installed');
    for (const problem of notUpgraded) step('elasticsearch', `warning: ${problem}`);
  } finally {
    await client.close();
  }
  for (const server of servers.slice(nodes.length)) await start(server, s, e);
  return e;
}

const modeFile = (s: StackSettings): string => join(s.paths.runDir, 'mode');
const modeOf = (s: StackSettings): string => (s.LANTERN_SECURE ? 'secure' : 'plain');

/** The mode (secure or plain) the running stack was started in, if any of it runs. */
export function runningMode(s: StackSettings): string | undefined {
  const running = serversOf(s).some((server) => runningPid(s.paths, server.name) !== undefined);
  if (!running) return undefined;
  return existsSync(modeFile(s)) ? readFileSync(modeFile(s), 'utf8').trim() : 'plain';
}

/** Switching between plain and secured mode means restarting every server. */
function assertSameMode(s: StackSettings): void {
  const running = runningMode(s);
  if (running !== undefined && running !== modeOf(s)) {
    throw new StackError(
      `the stack is running in ${running} mode; stop it first (npm run stack:down) to start it in ${modeOf(s)} mode`,
    );
  }
  mkdirSync(s.paths.runDir, { recursive: true });
  writeFileSync(modeFile(s), modeOf(s));
}

function serverNamed(name: string, s: StackSettings): StackServer {
  const server = serversOf(s).find((candidate) => candidate.name === name);
  if (!server) throw new Error(`no stack server named ${name}`);
  return server;
}

/** Starts one server of the stack (if not running) and waits until it is healthy. */
export async function startServer(name: string, s: StackSettings): Promise<void> {
  await start(serverNamed(name, s), s, endpoints(s));
}

/** Stops one server of the stack. */
export async function stopServer(name: string, s: StackSettings): Promise<void> {
  await stopDaemon(s.paths, serverNamed(name, s).name);
}

/**
 * Stops every server of the stack, in reverse start order. With `wipe`, also deletes what each
 * stored (telemetry, alert state, queues), so the next start begins empty; caches and
 * credentials stay.
 */
export function stackDown(
  s: StackSettings,
  options: { readonly wipe?: boolean } = {},
): Promise<void> {
  return withLock(s.paths.runDir, 'stack:down', () => takeDown(s, options.wipe === true));
}

async function takeDown(s: StackSettings, wipe: boolean): Promise<void> {
  for (const server of [...serversOf(s)].reverse()) {
    const stopped = await stopDaemon(s.paths, server.name);
    step(server.name, stopped ? 'stopped' : 'not running');
    if (!wipe) continue;
    for (const dir of server.dataDirs(s)) rmSync(dir, { recursive: true, force: true });
    step(server.name, 'data deleted');
  }
}

export interface ServerStatus {
  readonly name: string;
  readonly pid: number | undefined;
  readonly ports: readonly number[];
  readonly healthy: boolean;
}

export async function stackStatus(s: StackSettings): Promise<ServerStatus[]> {
  const e = endpoints(s);
  return Promise.all(
    serversOf(s).map(async (server) => ({
      name: server.name,
      pid: runningPid(s.paths, server.name),
      ports: server.ports(s).map((p) => p.port),
      healthy: await server.healthy(e, s).catch(() => false),
    })),
  );
}

/** True when every server runs and answers its health check. */
export async function stackIsUp(s: StackSettings): Promise<boolean> {
  return (await stackStatus(s)).every((status) => status.pid !== undefined && status.healthy);
}
