import {
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  cpSync,
} from 'node:fs';
import { join } from 'node:path';
import { credentialsIn, esLogin, secureDir } from './credentials.ts';
import { waitUntilHealthy } from './daemon.ts';
import { secureConfig, securitySettings } from './elasticsearch-security.ts';
import { StackError } from './errors.ts';
import { isRoot, type StackPaths } from './paths.ts';
import { answers } from './ports.ts';
import { step } from './progress.ts';
import type { StackServer } from './server.ts';
import { elasticsearchUrl, type StackEndpoints, type StackSettings } from './settings.ts';
import { elasticsearchNodes, type Instance } from './topology.ts';
import { findJdk, requireTool, run } from './toolchain.ts';
import { unprivilegedUser } from './unprivileged-user.ts';

/** The integ-test-zip distribution on Maven Central: no bundled JDK, core + security modules only. */
export const ELASTICSEARCH_VERSION = '9.5.2';
const ARTIFACT = `org.elasticsearch.distribution.integ-test-zip:elasticsearch:${ELASTICSEARCH_VERSION}:zip`;
/** The unpacked distribution, shared by every checkout. */
const esHome = (paths: StackPaths): string =>
  join(paths.cacheDir, `elasticsearch-${ELASTICSEARCH_VERSION}`);

/**
 * Config, data and logs of one node of this checkout's Elasticsearch. As root the server runs
 * as `lantern`, which may not be able to enter the work tree, so the folder lives under
 * /var/lib/lantern and .lantern/<node> links to it.
 */
const nodeState = (paths: StackPaths, node: Instance): string =>
  isRoot ? join('/var/lib/lantern', paths.checkoutId, node.name) : join(paths.stateDir, node.name);
const nodeConfig = (paths: StackPaths, node: Instance): string =>
  join(nodeState(paths, node), 'config');
/** The default profile's one node: the only one secured mode knows. */
const singleNode: Instance = { name: 'elasticsearch', offset: 0 };

async function download(paths: StackPaths): Promise<void> {
  const home = esHome(paths);
  const mvn = requireTool(
    'mvn',
    `Elasticsearch ${ELASTICSEARCH_VERSION} is fetched from Maven Central with Maven`,
    'Install Maven (Debian package "maven").',
  );
  const unzip = requireTool(
    'unzip',
    'the Elasticsearch zip is unpacked with unzip',
    'Install the Debian package "unzip".',
  );
  const downloads = join(paths.cacheDir, 'downloads');
  step('elasticsearch', `downloading ${ARTIFACT} from Maven Central (about 130 MB, once)`);
  await run('elasticsearch', mvn, [
    '-B',
    'dependency:copy',
    `-Dartifact=${ARTIFACT}`,
    `-DoutputDirectory=${downloads}`,
  ]);
  const unpacking = `${home}.unpacking`;
  rmSync(unpacking, { recursive: true, force: true });
  await run('elasticsearch', unzip, [
    '-q',
    join(downloads, `elasticsearch-${ELASTICSEARCH_VERSION}.zip`),
    '-d',
    unpacking,
  ]);
  const [top] = readdirSync(unpacking);
  if (!top) throw new StackError(`the Elasticsearch zip in ${downloads} is empty`);
  renameSync(join(unpacking, top), home);
  rmSync(unpacking, { recursive: true, force: true });
}

/** Users, roles and certificates of the secured mode; true when users or roles changed. */
async function writeSecurityConfig(paths: StackPaths, configDir: string): Promise<boolean> {
  const changed = await secureConfig(configDir, credentialsIn(secureDir(paths)), {
    home: esHome(paths),
    javaHome: findJdk(21, `Elasticsearch ${ELASTICSEARCH_VERSION}`),
  });
  chownConfig(configDir);
  return changed;
}

/** As root, the server's user owns the config folder: small and all Lantern's, all of it. */
function chownConfig(configDir: string): void {
  if (!isRoot) return;
  const { uid, gid } = unprivilegedUser();
  chownSync(configDir, uid, gid);
  for (const entry of readdirSync(configDir, { recursive: true, encoding: 'utf8' })) {
    chownSync(join(configDir, entry), uid, gid);
  }
}

/**
 * Secured mode with Elasticsearch already running (an upgrade of Lantern, say): rewrites users
 * and roles when Lantern's changed and waits until Elasticsearch has reloaded them.
 */
export async function refreshSecurity(
  s: StackSettings,
  e: StackEndpoints,
  pid: number,
): Promise<void> {
  if (!(await writeSecurityConfig(s.paths, nodeConfig(s.paths, singleNode)))) return;
  step('elasticsearch', 'users or roles changed; waiting for Elasticsearch to reload them');
  const login = esLogin('setup', s);
  const ca = readFileSync(login.caFile, 'utf8');
  const url = `${e.elasticsearch}/_security/_authenticate`;
  const authenticated = () => answers(url, { ...login, ca });
  await waitUntilHealthy(s.paths, 'elasticsearch', pid, authenticated, 30_000);
}

/**
 * The discovery settings of a node: alone, or one of the scaled profile's cluster, which finds
 * its peers on their transport ports and, on its very first start, elects a master among them.
 */
function discovery(s: StackSettings, node: Instance): string[] {
  const nodes = elasticsearchNodes(s);
  if (nodes.length === 1)
    return ['cluster.name: lantern', 'node.name: lantern-dev', 'discovery.type: single-node'];
  const transport = (peer: Instance): string =>
    `127.0.0.1:${String(s.LANTERN_ES_TRANSPORT_PORT + peer.offset)}`;
  return [
    'cluster.name: lantern-scale',
    `node.name: ${node.name}`,
    `discovery.seed_hosts: [${nodes.map(transport).join(', ')}]`,
    // Read only while the cluster forms for the first time; ignored once it has.
    `cluster.initial_master_nodes: [${nodes.map((peer) => peer.name).join(', ')}]`,
  ];
}

/**
 * Elasticsearch's disk watermarks, on and explicit (its defaults), for one node as for several.
 * On one node the low mark only holds back replicas (there are none) and the high one cannot
 * move anything away but does refuse a new day's index; at the flood stage every Lantern index
 * turns read-only. Lantern's disk guard deletes old days at 80%, below all three
 * (docs/storage.md), so none is reached while there are old days to delete. compose.yaml
 * sets the same.
 */
export const diskWatermarks = [
  ['cluster.routing.allocation.disk.threshold_enabled', 'true'],
  ['cluster.routing.allocation.disk.watermark.low', '85%'],
  ['cluster.routing.allocation.disk.watermark.high', '90%'],
  ['cluster.routing.allocation.disk.watermark.flood_stage', '95%'],
] as const;

/** Creates this node's config/data/logs folders with the settings of the dev stack. */
async function prepareState(s: StackSettings, node: Instance): Promise<void> {
  const state = nodeState(s.paths, node);
  const config = nodeConfig(s.paths, node);
  if (!existsSync(config)) cpSync(join(esHome(s.paths), 'config'), config, { recursive: true });
  mkdirSync(join(state, 'data'), { recursive: true });
  mkdirSync(join(state, 'logs'), { recursive: true });
  writeFileSync(
    join(config, 'elasticsearch.yml'),
    [
      "# Written by Lantern's stack manager (tools/stack/elasticsearch.ts) on every start.",
      ...discovery(s, node),
      'network.host: 127.0.0.1',
      `http.port: ${String(s.LANTERN_ES_PORT + node.offset)}`,
      `transport.port: ${String(s.LANTERN_ES_TRANSPORT_PORT + node.offset)}`,
      `path.data: ${join(state, 'data')}`,
      `path.logs: ${join(state, 'logs')}`,
      ...(s.LANTERN_SECURE
        ? ['# Secured mode (stack:up --secure): TLS + file-realm users.', ...securitySettings]
        : [
            '# Dev stack: no security (stack:up --secure turns it on).',
            'xpack.security.enabled: false',
          ]),
      ...diskWatermarks.map(([key, value]) => `${key}: ${value}`),
      '',
    ].join('\n'),
  );
  if (s.LANTERN_SECURE) await writeSecurityConfig(s.paths, config);
  else chownConfig(config);
  if (isRoot) {
    // Only what this function creates or writes: what Elasticsearch writes it owns already, and
    // walking a grown data folder on every start would cost seconds.
    const { uid, gid } = unprivilegedUser();
    for (const path of [state, join(state, 'data'), join(state, 'logs')]) {
      chownSync(path, uid, gid);
    }
    const link = join(s.paths.stateDir, node.name);
    mkdirSync(s.paths.stateDir, { recursive: true });
    if (!existsSync(link)) symlinkSync(state, link);
  }
}

/** One node of the stack's Elasticsearch: the default profile's only one, or one of a cluster. */
export function elasticsearchServer(node: Instance): StackServer {
  return {
    name: node.name,
    startTimeoutSeconds: 180,
    dataDirs: (s) => [join(nodeState(s.paths, node), 'data')],
    ports: (s) => [
      { port: s.LANTERN_ES_PORT + node.offset, variable: 'LANTERN_ES_PORT' },
      { port: s.LANTERN_ES_TRANSPORT_PORT + node.offset, variable: 'LANTERN_ES_TRANSPORT_PORT' },
    ],
    async obtain(s) {
      findJdk(21, `Elasticsearch ${ELASTICSEARCH_VERSION}`);
      if (existsSync(join(esHome(s.paths), 'bin', 'elasticsearch'))) return;
      await download(s.paths);
    },
    prepare: (s) => prepareState(s, node),
    daemon(s) {
      const javaHome = findJdk(21, `Elasticsearch ${ELASTICSEARCH_VERSION}`);
      const home = esHome(s.paths);
      return {
        name: node.name,
        command: join(home, 'bin', 'elasticsearch'),
        args: [],
        env: {
          ES_JAVA_HOME: javaHome,
          ES_PATH_CONF: nodeConfig(s.paths, node),
          ES_JAVA_OPTS: `-Xms${s.LANTERN_ES_HEAP} -Xmx${s.LANTERN_ES_HEAP}`,
        },
        cwd: home,
        ...(isRoot ? { user: unprivilegedUser() } : {}),
        signature: 'elasticsearch',
      };
    },
    // Healthy once this node answers and its cluster is at least yellow (formed, every primary
    // assigned): a node of a cluster that has no master yet is not.
    async healthy(_e, s) {
      const url = `${elasticsearchUrl(s, node)}/_cluster/health?wait_for_status=yellow&timeout=1s`;
      if (!url.startsWith('https:')) return answers(url);
      const login = esLogin('analysis', s);
      return answers(url, { ...login, ca: readFileSync(login.caFile, 'utf8') });
    },
    describe: (e, s) =>
      `${elasticsearchUrl(s, node)}  (indices lantern-logs-*, lantern-spans-*)${e.elasticsearch.startsWith('https:') ? ', TLS + users' : ''}`,
  };
}

export const elasticsearch = elasticsearchServer(singleNode);
