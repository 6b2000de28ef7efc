import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { indices } from '../storage/indices.ts';
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

/** Bringing existing indices up to a new template: its mappings and dynamic settings only. */
const upgrade = "'indices:admin/mapping/put', 'indices:admin/settings/update'";

/**
 * Least privilege, per component:
 * - the Collector only creates documents (and the daily index) in the two telemetry patterns;
 * - the analysis service reads them, keeps its own alert indices, and installs the index
 *   templates at start (manage_index_templates; monitor for cluster health), bringing existing
 *   indices up to them (mapping and settings updates, not `manage`: no delete, close or alias).
 */

const roles = `# Written by Lantern's stack manager (src/stack/elasticsearch-security.ts) on every start.
${ES_USERS.ingest.role}:
  indices:
    - names: ['${indices.logs.pattern}', '${indices.spans.pattern}']
      privileges: ['create_doc', 'create_index', 'auto_configure']
${ES_USERS.analysis.role}:
  cluster: ['monitor', 'manage_index_templates']
  indices:
    - names: ['${indices.logs.pattern}', '${indices.spans.pattern}']
      privileges: ['read', 'view_index_metadata', ${upgrade}]
    - names: ['${indices.alerts.index}', '${indices.alertHistory.index}']
      privileges: ['read', 'write', 'create_index', 'view_index_metadata', ${upgrade}]
`;

/** Copies the certificates, writes roles.yml and (when the passwords changed) the users. */
export async function secureConfig(
  config: string,
  credentials: StackCredentials,
  tool: { readonly home: string; readonly javaHome: string },
): Promise<void> {
  const certs = join(config, 'certs');
  mkdirSync(certs, { recursive: true });
  copyFileSync(credentials.caFile, join(certs, 'ca.crt'));
  copyFileSync(credentials.esCertFile, join(certs, 'elasticsearch.crt'));
  copyFileSync(credentials.esKeyFile, join(certs, 'elasticsearch.key'));
  writeFileSync(join(config, 'roles.yml'), roles);

  const users = [
    { ...ES_USERS.ingest, password: credentials.ingestPassword },
    { ...ES_USERS.analysis, password: credentials.analysisPassword },
  ];
  const fingerprint = createHash('sha256').update(JSON.stringify(users)).digest('hex');
  const marker = join(config, 'users.lantern-fingerprint');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === fingerprint) return;
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
}
