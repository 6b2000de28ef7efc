import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
  /** The analysis service (and the stack's template install): reads telemetry, keeps alerts. */
  analysis: { username: 'lantern_analysis', role: 'lantern_analysis' },
} as const;

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
  /** Bearer token the Collector's OTLP receivers require. */
  readonly otlpToken: string;
  readonly otlpTokenFile: string;
  /** Bearer token for the analysis API (LANTERN_API_TOKEN). */
  readonly apiToken: string;
  /** Shell file with the variables a service or the analysis API needs (`set -a; . file`). */
  readonly envFile: string;
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
  envFile: join(dir, 'lantern.env'),
});
const files = filesIn(secureDir);

interface Secrets {
  ingestPassword: string;
  analysisPassword: string;
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
  const servers = [
    { name: 'elasticsearch', keyFile: files.esKeyFile, certFile: files.esCertFile },
    { name: 'collector', keyFile: files.collectorKeyFile, certFile: files.collectorCertFile },
  ].filter((server) => !existsSync(server.certFile));
  if (servers.length === 0) return;
  const openssl = requireTool(
    'openssl',
    "the secured stack's TLS certificates are made with openssl",
    'Install the Debian package "openssl".',
  );
  const days = '825';
  if (!existsSync(files.caFile)) {
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
  if (existsSync(files.secrets)) return JSON.parse(readFileSync(files.secrets, 'utf8')) as Secrets;
  const secrets: Secrets = {
    ingestPassword: secret(),
    analysisPassword: secret(),
    otlpToken: secret(),
    apiToken: secret(),
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
    envFile: paths.envFile,
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
  writePrivate(
    files.envFile,
    [
      '# Settings for services and the analysis API against the secured local stack.',
      '# Load with: set -a; . .lantern/secure/lantern.env; set +a',
      `OTEL_EXPORTER_OTLP_ENDPOINT=${otlpHttpUrl}`,
      `OTEL_EXPORTER_OTLP_HEADERS='Authorization=Bearer ${secrets.otlpToken}'`,
      '# The OTLP receivers speak TLS with a certificate of the local CA: Node trusts it through',
      '# NODE_EXTRA_CA_CERTS (read at start), OTLP gRPC exporters through the second variable.',
      `NODE_EXTRA_CA_CERTS=${files.caFile}`,
      `OTEL_EXPORTER_OTLP_CERTIFICATE=${files.caFile}`,
      `LANTERN_ES_URL=${esUrl}`,
      `LANTERN_ES_USERNAME=${ES_USERS.analysis.username}`,
      `LANTERN_ES_PASSWORD='${secrets.analysisPassword}'`,
      `LANTERN_ES_CA_FILE=${files.caFile}`,
      `LANTERN_API_TOKEN='${secrets.apiToken}'`,
      '',
    ].join('\n'),
  );
  return credentialsIn(secureDir);
}

/** How the analysis service (and the stack's template install) signs in to the secured store. */
export function analysisLogin(dir?: string): {
  readonly username: string;
  readonly password: string;
  readonly caFile: string;
} {
  const credentials = credentialsIn(dir);
  return {
    username: ES_USERS.analysis.username,
    password: credentials.analysisPassword,
    caFile: credentials.caFile,
  };
}
