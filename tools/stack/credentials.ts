import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StackError } from './errors.ts';
import { stateDir } from './paths.ts';
import { step } from './progress.ts';
import { endpoints, type StackSettings } from './settings.ts';
import { requireTool, run } from './toolchain.ts';

/**
 * Secrets of the secured stack, generated once per checkout and kept under .lantern/secure
 * (mode 0600, git-ignored). Nothing here is ever printed: the stack prints the file names.
 */
export const secureDir = join(stateDir, 'secure');

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

export interface StackCredentials {
  /** PEM of the CA that signed Elasticsearch's HTTP certificate. */
  readonly caFile: string;
  readonly esCertFile: string;
  readonly esKeyFile: string;
  /** TLS certificate and key of the Collector's OTLP receivers (gRPC and HTTP). */
  readonly collectorCertFile: string;
  readonly collectorKeyFile: string;
  readonly ingestPassword: string;
  readonly analysisPassword: string;
  readonly setupPassword: string;
  /** Bearer token the Collector's OTLP receivers require. */
  readonly otlpToken: string;
  readonly otlpTokenFile: string;
  /** Bearer token for the analysis API (LANTERN_API_TOKEN). */
  readonly apiToken: string;
  /** Shell file with what an instrumented service needs: OTLP endpoint, token, CA trust. */
  readonly serviceEnvFile: string;
  /** Shell file with what the analysis service needs: its Elasticsearch login, its API token. */
  readonly analysisEnvFile: string;
}

const filesIn = (dir: string) => ({
  caKey: join(dir, 'ca.key'),
  caFile: join(dir, 'ca.crt'),
  esKeyFile: join(dir, 'elasticsearch.key'),
  esCertFile: join(dir, 'elasticsearch.crt'),
  collectorKeyFile: join(dir, 'collector.key'),
  collectorCertFile: join(dir, 'collector.crt'),
  secrets: join(dir, 'secrets.json'),
  otlpTokenFile: join(dir, 'otlp.token'),
  serviceEnvFile: join(dir, 'service.env'),
  analysisEnvFile: join(dir, 'analysis.env'),
});
const files = filesIn(secureDir);

interface Secrets {
  ingestPassword: string;
  analysisPassword: string;
  setupPassword: string;
  otlpToken: string;
  apiToken: string;
}

const secret = (): string => randomBytes(24).toString('base64url');
const writePrivate = (path: string, text: string): void => {
  writeFileSync(path, text, { mode: 0o600 });
};

/**
 * A local CA, and a certificate for 127.0.0.1/localhost signed by it for each TLS server
 * (Elasticsearch, the Collector's receivers); each made with openssl once, when missing.
 */
async function ensureCertificates(): Promise<void> {
  const newCa = !existsSync(files.caFile);
  // A new CA re-signs every server certificate: one signed by a lost CA would not be trusted.
  const servers = [
    { name: 'elasticsearch', keyFile: files.esKeyFile, certFile: files.esCertFile },
    { name: 'collector', keyFile: files.collectorKeyFile, certFile: files.collectorCertFile },
  ].filter((server) => newCa || !existsSync(server.certFile));
  if (servers.length === 0) return;
  const openssl = requireTool(
    'openssl',
    "the secured stack's TLS certificates are made with openssl",
    'Install the Debian package "openssl".',
  );
  const days = '825';
  if (newCa) {
    step('secure', `creating a local CA in ${secureDir}`);
    await run('secure', openssl, [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', days],
      ...['-subj', '/CN=Lantern local CA', '-keyout', files.caKey, '-out', files.caFile],
    ]);
  }
  const extensions = join(secureDir, 'server.ext');
  writeFileSync(extensions, 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  for (const server of servers) {
    step('secure', `creating the TLS certificate of ${server.name} (127.0.0.1, localhost)`);
    const csr = join(secureDir, `${server.name}.csr`);
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

function ensureSecrets(): Secrets {
  const existing = existsSync(files.secrets)
    ? (JSON.parse(readFileSync(files.secrets, 'utf8')) as Partial<Secrets>)
    : {};
  // Kept as they are; a secret added by a newer Lantern is generated once.
  const secrets: Secrets = {
    ingestPassword: existing.ingestPassword ?? secret(),
    analysisPassword: existing.analysisPassword ?? secret(),
    setupPassword: existing.setupPassword ?? secret(),
    otlpToken: existing.otlpToken ?? secret(),
    apiToken: existing.apiToken ?? secret(),
  };
  writePrivate(files.secrets, JSON.stringify(secrets, null, 2));
  return secrets;
}

/** The credentials of a secured stack whose state folder is `dir` (default: this checkout's). */
export function credentialsIn(dir: string = secureDir): StackCredentials {
  const paths = filesIn(dir);
  if (!existsSync(paths.secrets)) {
    throw new StackError(
      `no credentials in ${dir}: the secured stack creates them (npm run stack:up -- --secure)`,
    );
  }
  const secrets = JSON.parse(readFileSync(paths.secrets, 'utf8')) as Secrets;
  return {
    caFile: paths.caFile,
    esCertFile: paths.esCertFile,
    esKeyFile: paths.esKeyFile,
    collectorCertFile: paths.collectorCertFile,
    collectorKeyFile: paths.collectorKeyFile,
    otlpTokenFile: paths.otlpTokenFile,
    serviceEnvFile: paths.serviceEnvFile,
    analysisEnvFile: paths.analysisEnvFile,
    ...secrets,
  };
}

/** Creates (once) and returns the secured stack's certificates, passwords and tokens. */
export async function ensureStackCredentials(s: StackSettings): Promise<StackCredentials> {
  const { elasticsearch: esUrl, otlpHttp: otlpHttpUrl } = endpoints(s);
  mkdirSync(secureDir, { recursive: true, mode: 0o700 });
  await ensureCertificates();
  const secrets = ensureSecrets();
  writePrivate(files.otlpTokenFile, `${secrets.otlpToken}\n`);
  // Two files, so a service never holds the analysis service's Elasticsearch password.
  writePrivate(
    files.serviceEnvFile,
    [
      '# What an instrumented service needs to export to the secured local stack.',
      `# Load with: set -a; . ${files.serviceEnvFile}; set +a`,
      `OTEL_EXPORTER_OTLP_ENDPOINT=${otlpHttpUrl}`,
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
      `LANTERN_ES_URL=${esUrl}`,
      `LANTERN_ES_USERNAME=${ES_USERS.analysis.username}`,
      `LANTERN_ES_PASSWORD='${secrets.analysisPassword}'`,
      `LANTERN_ES_CA_FILE=${files.caFile}`,
      `LANTERN_API_TOKEN='${secrets.apiToken}'`,
      '',
    ].join('\n'),
  );
  rmSync(join(secureDir, 'lantern.env'), { force: true }); // the single file of earlier versions
  return credentialsIn(secureDir);
}

/** How one of the secured stack's Elasticsearch users signs in (its password, the CA to trust). */
export function esLogin(
  user: EsUser,
  dir?: string,
): { readonly username: string; readonly password: string; readonly caFile: string } {
  const credentials = credentialsIn(dir);
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
