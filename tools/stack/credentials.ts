import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { stringify } from 'yaml';
import { StackError } from './errors.ts';
import type { StackPaths } from './paths.ts';
import type { TlsLogin } from './ports.ts';
import { step } from './progress.ts';
import { endpoints, type StackSettings } from './settings.ts';
import { requireTool, run } from './toolchain.ts';

/**
 * Secrets of the secured stack, generated once per state folder and kept under .lantern/secure
 * (mode 0600, git-ignored). Nothing here is ever printed: the stack prints the file names.
 */
export const secureDir = (paths: StackPaths): string => join(paths.stateDir, 'secure');

/** The Elasticsearch users of the secured stack and the roles (config/roles.yml) they hold. */
export const ES_USERS = {
  /** The Collector: creates documents in lantern-logs-* and lantern-spans-*, nothing else. */
  ingest: { username: 'lantern_ingest', role: 'lantern_ingest' },
  /** The analysis service: reads telemetry, keeps its alert indices. */
  analysis: { username: 'lantern_analysis', role: 'lantern_analysis' },
  /** stack:up only: installs the index templates and brings existing indices up to them. */
  setup: { username: 'lantern_setup', role: 'lantern_setup' },
} as const;
export type EsUser = keyof typeof ES_USERS;

/** Who signs in to Prometheus, Alertmanager and Jaeger's query API (basic auth). */
export const WEB_USER = 'lantern';

/** Every server of the secured stack that speaks TLS, each with a certificate of its own. */
export const TLS_SERVERS = [
  'elasticsearch',
  'collector',
  'jaeger',
  'jaeger-storage',
  'prometheus',
  'alertmanager',
] as const;
export type TlsServer = (typeof TLS_SERVERS)[number];

export interface Certificate {
  readonly certFile: string;
  readonly keyFile: string;
}

export interface StackCredentials {
  /** PEM of the local CA that signed every server's certificate. */
  readonly caFile: string;
  readonly certificates: Readonly<Record<TlsServer, Certificate>>;
  readonly ingestPassword: string;
  readonly analysisPassword: string;
  readonly setupPassword: string;
  /** Bearer token the Collector's OTLP receivers require. */
  readonly otlpToken: string;
  readonly otlpTokenFile: string;
  /** Bearer token for the analysis API (LANTERN_API_TOKEN). */
  readonly apiToken: string;
  /** WEB_USER's passwords, one per server. */
  readonly prometheusPassword: string;
  readonly alertmanagerPassword: string;
  readonly jaegerPassword: string;
  /** Bearer token Jaeger presents to Lantern's trace storage (bin/jaeger-storage.ts). */
  readonly jaegerStorageToken: string;
  /** Bearer token Prometheus scrapes the Collector's metrics endpoint with. */
  readonly scrapeToken: string;
  readonly scrapeTokenFile: string;
  /** LANTERN_API_TOKEN, for Alertmanager's webhooks to the analysis API. */
  readonly apiTokenFile: string;
  /** Files Prometheus reads the passwords of its scrape and alerting targets from. */
  readonly prometheusPasswordFile: string;
  readonly alertmanagerPasswordFile: string;
  /** `--web.config.file` of Prometheus and Alertmanager: TLS and the bcrypt of the password. */
  readonly prometheusWebConfig: string;
  readonly alertmanagerWebConfig: string;
  /** htpasswd file of Jaeger's query API (its basicauth extension). */
  readonly jaegerQueryHtpasswd: string;
  /** Shell file with what an instrumented service needs: OTLP endpoint, token, CA trust. */
  readonly serviceEnvFile: string;
  /** Shell file with what the analysis service needs: its logins, its API token, CA trust. */
  readonly analysisEnvFile: string;
}

const filesIn = (dir: string) => ({
  caKey: join(dir, 'ca.key'),
  caFile: join(dir, 'ca.crt'),
  certificates: Object.fromEntries(
    TLS_SERVERS.map((server) => [
      server,
      { certFile: join(dir, `${server}.crt`), keyFile: join(dir, `${server}.key`) },
    ]),
  ) as Record<TlsServer, Certificate>,
  secrets: join(dir, 'secrets.json'),
  otlpTokenFile: join(dir, 'otlp.token'),
  scrapeTokenFile: join(dir, 'scrape.token'),
  apiTokenFile: join(dir, 'api.token'),
  prometheusPasswordFile: join(dir, 'prometheus.password'),
  alertmanagerPasswordFile: join(dir, 'alertmanager.password'),
  prometheusWebConfig: join(dir, 'prometheus-web.yml'),
  alertmanagerWebConfig: join(dir, 'alertmanager-web.yml'),
  jaegerQueryHtpasswd: join(dir, 'jaeger-query.htpasswd'),
  serviceEnvFile: join(dir, 'service.env'),
  analysisEnvFile: join(dir, 'analysis.env'),
});
type SecureFiles = ReturnType<typeof filesIn>;

const SECRET_NAMES = [
  'ingestPassword',
  'analysisPassword',
  'setupPassword',
  'otlpToken',
  'apiToken',
  'prometheusPassword',
  'alertmanagerPassword',
  'jaegerPassword',
  'jaegerStorageToken',
  'scrapeToken',
] as const;
type Secrets = Record<(typeof SECRET_NAMES)[number], string>;

const secret = (): string => randomBytes(24).toString('base64url');
const writePrivate = (path: string, text: string): void => {
  writeFileSync(path, text, { mode: 0o600 });
};

/**
 * A local CA, and a certificate for 127.0.0.1/localhost signed by it for each TLS server
 * (TLS_SERVERS); each made with openssl once, when missing.
 */
async function ensureCertificates(dir: string): Promise<void> {
  const files = filesIn(dir);
  const newCa = !existsSync(files.caFile);
  // A new CA re-signs every server certificate: one signed by a lost CA would not be trusted.
  // Each certificate names its server too, the host name it has in compose.yaml; one made by an
  // earlier Lantern without that name is made again.
  const servers = TLS_SERVERS.map((name) => ({ name, ...files.certificates[name] })).filter(
    (server) =>
      newCa ||
      !existsSync(server.certFile) ||
      !new X509Certificate(readFileSync(server.certFile)).subjectAltName?.includes(
        `DNS:${server.name}`,
      ),
  );
  if (servers.length === 0) return;
  const openssl = requireTool(
    'openssl',
    "the secured stack's TLS certificates are made with openssl",
    'Install the Debian package "openssl".',
  );
  const days = '825';
  if (newCa) {
    step('secure', `creating a local CA in ${dir}`);
    await run('secure', openssl, [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', days],
      ...['-subj', '/CN=Lantern local CA', '-keyout', files.caKey, '-out', files.caFile],
    ]);
  }
  for (const server of servers) {
    step(
      'secure',
      `creating the TLS certificate of ${server.name} (127.0.0.1, localhost, ${server.name})`,
    );
    const extensions = join(dir, `${server.name}.ext`);
    writeFileSync(extensions, `subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:${server.name}\n`);
    const csr = join(dir, `${server.name}.csr`);
    await run('secure', openssl, [
      ...['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost'],
      ...['-keyout', server.keyFile, '-out', csr],
    ]);
    await run('secure', openssl, [
      ...['x509', '-req', '-in', csr, '-CA', files.caFile, '-CAkey', files.caKey],
      ...['-CAcreateserial', '-days', days, '-extfile', extensions, '-out', server.certFile],
    ]);
  }
}

function ensureSecrets(files: SecureFiles): Secrets {
  const existing = existsSync(files.secrets)
    ? (JSON.parse(readFileSync(files.secrets, 'utf8')) as Partial<Secrets>)
    : {};
  // Kept as they are; a secret added by a newer Lantern is generated once.
  const secrets = Object.fromEntries(
    SECRET_NAMES.map((name) => [name, existing[name] ?? secret()]),
  ) as Secrets;
  writePrivate(files.secrets, JSON.stringify(secrets, null, 2));
  return secrets;
}

/** The credentials of the secured stack whose secrets folder is `dir` (secureDir). */
export function credentialsIn(dir: string): StackCredentials {
  const paths = filesIn(dir);
  if (!existsSync(paths.secrets)) {
    throw new StackError(
      `no credentials in ${dir}: the secured stack creates them (npm run stack:up -- --secure)`,
    );
  }
  const secrets = JSON.parse(readFileSync(paths.secrets, 'utf8')) as Secrets;
  return {
    caFile: paths.caFile,
    certificates: paths.certificates,
    otlpTokenFile: paths.otlpTokenFile,
    scrapeTokenFile: paths.scrapeTokenFile,
    apiTokenFile: paths.apiTokenFile,
    prometheusPasswordFile: paths.prometheusPasswordFile,
    alertmanagerPasswordFile: paths.alertmanagerPasswordFile,
    prometheusWebConfig: paths.prometheusWebConfig,
    alertmanagerWebConfig: paths.alertmanagerWebConfig,
    jaegerQueryHtpasswd: paths.jaegerQueryHtpasswd,
    serviceEnvFile: paths.serviceEnvFile,
    analysisEnvFile: paths.analysisEnvFile,
    ...secrets,
  };
}

/** Creates (once) and returns the secured stack's certificates, passwords and tokens. */
export async function ensureStackCredentials(s: StackSettings): Promise<StackCredentials> {
  const e = endpoints(s);
  const dir = secureDir(s.paths);
  const files = filesIn(dir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  await ensureCertificates(dir);
  const secrets = ensureSecrets(files);
  writePrivate(files.otlpTokenFile, `${secrets.otlpToken}\n`);
  writeServerLogins(files, secrets);
  // Two files, so a service never holds the analysis service's Elasticsearch password.
  writePrivate(
    files.serviceEnvFile,
    [
      '# What an instrumented service needs to export to the secured local stack.',
      `# Load with: set -a; . ${files.serviceEnvFile}; set +a`,
      `OTEL_EXPORTER_OTLP_ENDPOINT=${e.otlpHttp}`,
      `OTEL_EXPORTER_OTLP_HEADERS='Authorization=Bearer ${secrets.otlpToken}'`,
      '# The OTLP receivers speak TLS with a certificate of the local CA: Node trusts it through',
      '# NODE_EXTRA_CA_CERTS (read at start), OTLP gRPC exporters through the second variable.',
      `NODE_EXTRA_CA_CERTS=${files.caFile}`,
      `OTEL_EXPORTER_OTLP_CERTIFICATE=${files.caFile}`,
      '',
    ].join('\n'),
  );
  writePrivate(
    files.analysisEnvFile,
    [
      '# What the analysis service (npm run analysis) needs against the secured local stack.',
      `# Load with: set -a; . ${files.analysisEnvFile}; set +a`,
      `LANTERN_ES_URL=${e.elasticsearch}`,
      `LANTERN_ES_USERNAME=${ES_USERS.analysis.username}`,
      `LANTERN_ES_PASSWORD='${secrets.analysisPassword}'`,
      `LANTERN_ES_CA_FILE=${files.caFile}`,
      `LANTERN_API_TOKEN='${secrets.apiToken}'`,
      '# Alerts and silences go to Alertmanager, and the console shows Jaeger health, with a login.',
      `LANTERN_ALERTMANAGER_URL='${withLogin(e.alertmanager, secrets.alertmanagerPassword)}'`,
      `LANTERN_JAEGER_URL='${withLogin(e.jaeger, secrets.jaegerPassword)}'`,
      `LANTERN_COLLECTOR_HEALTH_URL=${e.collectorHealth}`,
      '# Both speak TLS with a certificate of the local CA, trusted through this (read at start).',
      `NODE_EXTRA_CA_CERTS=${files.caFile}`,
      '',
    ].join('\n'),
  );
  // What earlier versions wrote: one env file for everything, one SAN file for every server.
  for (const old of ['lantern.env', 'server.ext']) rmSync(join(dir, old), { force: true });
  return credentialsIn(dir);
}

/** The value of an `Authorization` header for basic auth. */
export const basicAuthorization = (username: string, password: string): string =>
  `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

/** The credentials of the stack `s` names when it is in secured mode; undefined when plain. */
export const securedCredentials = (s: StackSettings): StackCredentials | undefined =>
  s.LANTERN_SECURE ? credentialsIn(secureDir(s.paths)) : undefined;

/**
 * How stack:up signs in to Prometheus, Alertmanager or Jaeger's query API: with TLS and a
 * password in secured mode, not at all (undefined) in plain mode.
 */
export function webLogin(
  server: 'prometheus' | 'alertmanager' | 'jaeger',
  s: StackSettings,
): TlsLogin | undefined {
  const credentials = securedCredentials(s);
  if (!credentials) return undefined;
  const passwords = {
    prometheus: credentials.prometheusPassword,
    alertmanager: credentials.alertmanagerPassword,
    jaeger: credentials.jaegerPassword,
  };
  return {
    ca: readFileSync(credentials.caFile, 'utf8'),
    username: WEB_USER,
    password: passwords[server],
  };
}

const withLogin = (url: string, password: string): string => {
  const login = new URL(url);
  login.username = WEB_USER;
  login.password = password;
  return login.href.replace(/\/+$/, '');
};

/**
 * What Prometheus, Alertmanager and Jaeger check logins against, and what Prometheus signs in
 * with. Prometheus and Alertmanager accept only bcrypt; Jaeger's htpasswd gets a SHA-1, because
 * it hashes on every request and each secret is 192 random bits, where a slow
 * hash adds nothing.
 */
function writeServerLogins(files: SecureFiles, secrets: Secrets): void {
  const webConfig = (server: 'prometheus' | 'alertmanager', password: string): string =>
    stringify({
      // Relative to this file's folder: the same file serves the local stack and compose.
      tls_server_config: { cert_file: `${server}.crt`, key_file: `${server}.key` },
      basic_auth_users: { [WEB_USER]: bcrypt.hashSync(password, 10) },
    });
  writePrivate(files.prometheusWebConfig, webConfig('prometheus', secrets.prometheusPassword));
  writePrivate(
    files.alertmanagerWebConfig,
    webConfig('alertmanager', secrets.alertmanagerPassword),
  );
  const sha = (password: string): string =>
    `{SHA}${createHash('sha1').update(password).digest('base64')}`;
  writePrivate(files.jaegerQueryHtpasswd, `${WEB_USER}:${sha(secrets.jaegerPassword)}\n`);
  writePrivate(files.scrapeTokenFile, `${secrets.scrapeToken}\n`);
  // What Alertmanager hands notifications to the analysis API with (its webhooks' bearer token).
  writePrivate(files.apiTokenFile, secrets.apiToken);
  writePrivate(files.prometheusPasswordFile, secrets.prometheusPassword);
  writePrivate(files.alertmanagerPasswordFile, secrets.alertmanagerPassword);
}

/** How one of the secured stack's Elasticsearch users signs in (its password, the CA to trust). */
export function esLogin(
  user: EsUser,
  s: StackSettings,
): { readonly username: string; readonly password: string; readonly caFile: string } {
  const credentials = credentialsIn(secureDir(s.paths));
  const passwords: Record<EsUser, string> = {
    ingest: credentials.ingestPassword,
    analysis: credentials.analysisPassword,
    setup: credentials.setupPassword,
  };
  return {
    username: ES_USERS[user].username,
    password: passwords[user],
    caFile: credentials.caFile,
  };
}
