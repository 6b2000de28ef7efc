import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { indices } from '../../src/contracts/indices.ts';
import { ES_USERS, type StackCredentials } from './credentials.ts';
import { step } from './progress.ts';
import { run } from './toolchain.ts';

/**
 * Secured mode of the local Elasticsearch: TLS on HTTP (certificate from credentials.ts) and
 * the file realm with one user per Lantern component, each holding only what it uses.
 */

/** elasticsearch.yml lines of the secured mode (paths relative to the config folder). */
export const securitySettings = [
  'xpack.security.enabled: true',
  'xpack.security.autoconfiguration.enabled: false',
  'xpack.security.enrollment.enabled: false',
  'xpack.security.http.ssl.enabled: true',
  'xpack.security.http.ssl.key: certs/elasticsearch.key',
  'xpack.security.http.ssl.certificate: certs/elasticsearch.crt',
  'xpack.security.http.ssl.certificate_authorities: [certs/ca.crt]',
];

const telemetry = `'${indices.logs.pattern}', '${indices.spans.pattern}'`;
/**
 * The daily indices' exact name shape (contracts/indices.ts), as a Lucene regular expression:
 * the only indices storage maintenance may delete or force-merge.
 */
const dailyIndices = `'/lantern-(logs|spans)-[0-9]{4}[.][0-9]{2}[.][0-9]{2}/'`;
const alertIndices = [
  indices.alerts.index,
  indices.alertHistory.index,
  indices.alertLease.index,
  indices.storageDeletions.index,
  indices.incidents.index,
  indices.incidentTimeline.index,
]
  .map((name) => `'${name}'`)
  .join(', ');

/**
 * Least privilege, per component:
 * - the Collector only creates documents (and the daily index) in the two telemetry patterns;
 * - the analysis service reads them and keeps its own alert indices (monitor: cluster health,
 *   the nodes' disks, each index's size for GET /api/v1/storage); its storage maintenance
 *   deletes and force-merges daily indices, by their exact name shape only (a test's or another
 *   product's index under the same pattern is refused);
 * - stack:up installs the index templates and brings existing indices up to them: mapping and
 *   settings updates only (not `manage`: no delete, close or alias). A separate user, so the
 *   long-running analysis service cannot change index settings (a write block would stop
 *   ingestion).
 */
export const roles = `# Written by Lantern's stack manager (tools/stack/elasticsearch-security.ts) on every start.
${ES_USERS.ingest.role}:
  indices:
    - names: [${telemetry}]
      privileges: ['create_doc', 'create_index', 'auto_configure']
${ES_USERS.analysis.role}:
  cluster: ['monitor']
  indices:
    - names: [${telemetry}]
      privileges: ['read', 'view_index_metadata']
    - names: [${dailyIndices}]
      privileges: ['monitor', 'delete_index', 'maintenance']
    - names: [${alertIndices}]
      privileges: ['read', 'write', 'create_index', 'view_index_metadata', 'monitor']
${ES_USERS.setup.role}:
  cluster: ['manage_index_templates']
  indices:
    - names: [${telemetry}, ${alertIndices}]
      privileges: ['view_index_metadata', 'indices:admin/mapping/put', 'indices:admin/settings/update']
`;

/**
 * Copies the certificates, writes roles.yml and (when users or passwords changed) the users.
 * True when roles or users changed: a running Elasticsearch reloads both files within seconds.
 */
export async function secureConfig(
  config: string,
  credentials: StackCredentials,
  tool: { readonly home: string; readonly javaHome: string },
): Promise<boolean> {
  const certs = join(config, 'certs');
  mkdirSync(certs, { recursive: true });
  copyFileSync(credentials.caFile, join(certs, 'ca.crt'));
  copyFileSync(credentials.certificates.elasticsearch.certFile, join(certs, 'elasticsearch.crt'));
  copyFileSync(credentials.certificates.elasticsearch.keyFile, join(certs, 'elasticsearch.key'));
  const rolesFile = join(config, 'roles.yml');
  const rolesChanged = !existsSync(rolesFile) || readFileSync(rolesFile, 'utf8') !== roles;
  if (rolesChanged) writeFileSync(rolesFile, roles);

  const users = [
    { ...ES_USERS.ingest, password: credentials.ingestPassword },
    { ...ES_USERS.analysis, password: credentials.analysisPassword },
    { ...ES_USERS.setup, password: credentials.setupPassword },
  ];
  const fingerprint = createHash('sha256').update(JSON.stringify(users)).digest('hex');
  const marker = join(config, 'users.lantern-fingerprint');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === fingerprint) return rolesChanged;
  step('elasticsearch', `creating users ${users.map((u) => u.username).join(', ')}`);
  const command = join(tool.home, 'bin', 'elasticsearch-users');
  const env = { ES_JAVA_HOME: tool.javaHome, ES_PATH_CONF: config };
  for (const user of users) {
    const known = existsSync(join(config, 'users'))
      ? readFileSync(join(config, 'users'), 'utf8').split('\n')
      : [];
    if (known.some((line) => line.startsWith(`${user.username}:`))) {
      await run('elasticsearch', command, ['userdel', user.username], { env });
    }
    await run(
      'elasticsearch',
      command,
      ['useradd', user.username, '-p', user.password, '-r', user.role],
      { env, shownAs: `elasticsearch-users useradd ${user.username} -p *** -r ${user.role}` },
    );
  }
  writeFileSync(marker, fingerprint);
  return true;
}
