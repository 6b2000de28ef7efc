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
import { credentialsIn, esLogin } from './credentials.ts';
import { waitUntilHealthy } from './daemon.ts';
import { secureConfig, securitySettings } from './elasticsearch-security.ts';
import { StackError } from './errors.ts';
import { cacheDir, checkoutId, isRoot, stateDir } from './paths.ts';
import { answers } from './ports.ts';
import { step } from './progress.ts';
import type { StackServer } from './server.ts';
import type { StackEndpoints, StackSettings } from './settings.ts';
import { findJdk, requireTool, run } from './toolchain.ts';
import { unprivilegedUser } from './unprivileged-user.ts';

/** The integ-test-zip distribution on Maven Central: no bundled JDK, core + security modules only. */
export const ELASTICSEARCH_VERSION = '9.5.2';
const ARTIFACT = `org.elasticsearch.distribution.integ-test-zip:elasticsearch:${ELASTICSEARCH_VERSION}:zip`;
const home = join(cacheDir, `elasticsearch-${ELASTICSEARCH_VERSION}`);

/**
 * Config, data and logs of this checkout's Elasticsearch. As root the server runs as `lantern`,
 * which may not be able to enter the work tree, so the folder lives under /var/lib/lantern and
 * .lantern/elasticsearch links to it.
 */
const esState = isRoot
  ? join('/var/lib/lantern', checkoutId, 'elasticsearch')
  : join(stateDir, 'elasticsearch');

async function download(): Promise<void> {
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
  const downloads = join(cacheDir, 'downloads');
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

const configDir = join(esState, 'config');

/** Users, roles and certificates of the secured mode; true when users or roles changed. */
async function writeSecurityConfig(): Promise<boolean> {
  const changed = await secureConfig(configDir, credentialsIn(), {
    home,
    javaHome: findJdk(21, `Elasticsearch ${ELASTICSEARCH_VERSION}`),
  });
  chownConfig();
  return changed;
}

/** As root, the server's user owns the config folder: small and all Lantern's, all of it. */
function chownConfig(): void {
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
export async function refreshSecurity(e: StackEndpoints, pid: number): Promise<void> {
  if (!(await writeSecurityConfig())) return;
  step('elasticsearch', 'users or roles changed; waiting for Elasticsearch to reload them');
  const login = esLogin('setup');
  const ca = readFileSync(login.caFile, 'utf8');
  const url = `${e.elasticsearch}/_security/_authenticate`;
  await waitUntilHealthy('elasticsearch', pid, () => answers(url, { ...login, ca }), 30_000);
}

/** Creates this checkout's config/data/logs folders with the settings of the dev stack. */
async function prepareState(s: StackSettings): Promise<void> {
  const config = configDir;
  if (!existsSync(config)) cpSync(join(home, 'config'), config, { recursive: true });
  mkdirSync(join(esState, 'data'), { recursive: true });
  mkdirSync(join(esState, 'logs'), { recursive: true });
  writeFileSync(
    join(config, 'elasticsearch.yml'),
    [
      "# Written by Lantern's stack manager (tools/stack/elasticsearch.ts) on every start.",
      'cluster.name: lantern',
      'node.name: lantern-dev',
      'discovery.type: single-node',
      'network.host: 127.0.0.1',
      `http.port: ${s.LANTERN_ES_PORT}`,
      `transport.port: ${s.LANTERN_ES_TRANSPORT_PORT}`,
      `path.data: ${join(esState, 'data')}`,
      `path.logs: ${join(esState, 'logs')}`,
      ...(s.LANTERN_SECURE
        ? ['# Secured mode (stack:up --secure): TLS + file-realm users.', ...securitySettings]
        : [
            '# Dev stack: no security (stack:up --secure turns it on).',
            'xpack.security.enabled: false',
          ]),
      '# A nearly full disk must not turn the dev stack read-only.',
      'cluster.routing.allocation.disk.threshold_enabled: false',
      '',
    ].join('\n'),
  );
  if (s.LANTERN_SECURE) await writeSecurityConfig();
  else chownConfig();
  if (isRoot) {
    // Only what this function creates or writes: what Elasticsearch writes it owns already, and
    // walking a grown data folder on every start would cost seconds.
    const { uid, gid } = unprivilegedUser();
    for (const path of [esState, join(esState, 'data'), join(esState, 'logs')]) {
      chownSync(path, uid, gid);
    }
    const link = join(stateDir, 'elasticsearch');
    mkdirSync(stateDir, { recursive: true });
    if (!existsSync(link)) symlinkSync(esState, link);
  }
}

export const elasticsearch: StackServer = {
  name: 'elasticsearch',
  startTimeoutSeconds: 180,
  dataDirs: [join(esState, 'data')],
  ports: (s) => [
    { port: s.LANTERN_ES_PORT, variable: 'LANTERN_ES_PORT' },
    { port: s.LANTERN_ES_TRANSPORT_PORT, variable: 'LANTERN_ES_TRANSPORT_PORT' },
  ],
  async obtain() {
    findJdk(21, `Elasticsearch ${ELASTICSEARCH_VERSION}`);
    if (existsSync(join(home, 'bin', 'elasticsearch'))) return;
    await download();
  },
  prepare: prepareState,
  daemon(s) {
    const javaHome = findJdk(21, `Elasticsearch ${ELASTICSEARCH_VERSION}`);
    return {
      name: 'elasticsearch',
      command: join(home, 'bin', 'elasticsearch'),
      args: [],
      env: {
        ES_JAVA_HOME: javaHome,
        ES_PATH_CONF: configDir,
        ES_JAVA_OPTS: `-Xms${s.LANTERN_ES_HEAP} -Xmx${s.LANTERN_ES_HEAP}`,
      },
      cwd: home,
      ...(isRoot ? { user: unprivilegedUser() } : {}),
      signature: 'elasticsearch',
    };
  },
  async healthy(e) {
    const url = `${e.elasticsearch}/_cluster/health?wait_for_status=yellow&timeout=1s`;
    if (!url.startsWith('https:')) return answers(url);
    const login = esLogin('analysis');
    return answers(url, { ...login, ca: readFileSync(login.caFile, 'utf8') });
  },
  describe: (e) =>
    `${e.elasticsearch}  (indices lantern-logs-*, lantern-spans-*)${e.elasticsearch.startsWith('https:') ? ', TLS + users' : ''}`,
};
