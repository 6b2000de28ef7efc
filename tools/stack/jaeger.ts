import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import { securedCredentials, webLogin } from './credentials.ts';
import { StackError } from './errors.ts';
import { addBasicAuth } from './jaeger-basicauth.ts';
import { goEnv, requireGo } from './go-build.ts';
import { repoRoot, type StackPaths } from './paths.ts';
import { answers } from './ports.ts';
import { step } from './progress.ts';
import type { StackServer } from './server.ts';
import { run } from './toolchain.ts';

/** Jaeger v2.12 is tagged v1.75.0 in the Go module: the release the module proxy here approves. */
export const JAEGER_MODULE_VERSION = 'v1.75.0';
export const JAEGER_RELEASE = 'v2.12';
/** Built once from the Go module, with basic auth added, shared by every checkout. */
export const jaegerBinary = (paths: StackPaths): string =>
  join(paths.cacheDir, `jaeger-${JAEGER_MODULE_VERSION}-basicauth`, 'jaeger');

export const jaegerConfigPath = join(repoRoot, 'config', 'jaeger.yaml');
/** Merged over jaeger.yaml in secured mode: TLS and basic auth on the query API and OTLP. */
export const secureJaegerConfigPath = join(repoRoot, 'config', 'jaeger.secure.yaml');

function makeWritable(path: string): void {
  chmodSync(path, statSync(path).mode | 0o200);
  if (!statSync(path).isDirectory()) return;
  for (const entry of readdirSync(path)) makeWritable(join(path, entry));
}

/**
 * `go install github.com/jaegertracing/jaeger/cmd/jaeger@…` is refused because the module's
 * go.mod has replace directives, so we build inside a writable copy of the downloaded module.
 */
async function build(binary: string): Promise<void> {
  const go = requireGo();
  const env = goEnv();
  step('jaeger', `downloading github.com/jaegertracing/jaeger@${JAEGER_MODULE_VERSION}`);
  const info = await run(
    'jaeger',
    go,
    ['mod', 'download', '-json', `github.com/jaegertracing/jaeger@${JAEGER_MODULE_VERSION}`],
    { env },
  );
  const dir = (JSON.parse(info) as { Dir?: string }).Dir;
  if (!dir)
    throw new StackError(`go mod download did not report where Jaeger ${JAEGER_MODULE_VERSION} is`);
  // Per process: two stacks set up at once (the test suite's) must not share a build folder.
  const src = `${binary}.src-${String(process.pid)}`;
  rmSync(src, { recursive: true, force: true });
  cpSync(dir, src, { recursive: true });
  makeWritable(src);
  step('jaeger', 'adding the basicauth extension (secured mode)');
  await addBasicAuth(src, go, env);
  step('jaeger', 'building ./cmd/jaeger (several minutes, once)');
  await run('jaeger', go, ['build', '-o', `${src}.new`, './cmd/jaeger'], {
    cwd: src,
    env,
  });
  renameSync(`${src}.new`, binary);
  rmSync(src, { recursive: true, force: true });
}

export const jaeger: StackServer = {
  name: 'jaeger',
  startTimeoutSeconds: 60,
  // Its traces are Lantern's spans, read through bin/jaeger-storage.ts: it stores nothing.
  dataDirs: () => [],
  ports: (s) => [
    { port: s.LANTERN_JAEGER_QUERY_PORT, variable: 'LANTERN_JAEGER_QUERY_PORT' },
    { port: s.LANTERN_JAEGER_QUERY_GRPC_PORT, variable: 'LANTERN_JAEGER_QUERY_GRPC_PORT' },
    { port: s.LANTERN_JAEGER_HEALTH_PORT, variable: 'LANTERN_JAEGER_HEALTH_PORT' },
    { port: s.LANTERN_JAEGER_METRICS_PORT, variable: 'LANTERN_JAEGER_METRICS_PORT' },
  ],
  // An earlier Lantern's Jaeger kept a copy of every span on disk (Badger): the spans are in
  // lantern-spans-*, so the copy goes.
  prepare(s) {
    const copy = join(s.paths.stateDir, 'jaeger');
    if (existsSync(copy)) {
      rmSync(copy, { recursive: true, force: true });
      step('jaeger', `removed ${copy}, its own copy of the spans (they are in lantern-spans-*)`);
    }
    return Promise.resolve();
  },
  async obtain(s) {
    const binary = jaegerBinary(s.paths);
    if (existsSync(binary)) return;
    mkdirSync(join(binary, '..'), { recursive: true });
    await build(binary);
  },
  daemon(s) {
    const loopback = '127.0.0.1';
    const credentials = securedCredentials(s);
    return {
      name: 'jaeger',
      command: jaegerBinary(s.paths),
      args: [
        '--config',
        jaegerConfigPath,
        ...(credentials ? ['--config', secureJaegerConfigPath] : []),
      ],
      env: {
        JAEGER_QUERY_HTTP_ENDPOINT: `${loopback}:${s.LANTERN_JAEGER_QUERY_PORT}`,
        JAEGER_QUERY_GRPC_ENDPOINT: `${loopback}:${s.LANTERN_JAEGER_QUERY_GRPC_PORT}`,
        JAEGER_HEALTH_ENDPOINT: `${loopback}:${s.LANTERN_JAEGER_HEALTH_PORT}`,
        JAEGER_METRICS_HOST: loopback,
        JAEGER_METRICS_PORT: String(s.LANTERN_JAEGER_METRICS_PORT),
        // localhost, the name its certificate has in secured mode.
        JAEGER_STORAGE_ENDPOINT: `localhost:${s.LANTERN_JAEGER_STORAGE_PORT}`,
        ...(credentials && {
          JAEGER_TLS_CERT_FILE: credentials.certificates.jaeger.certFile,
          JAEGER_TLS_KEY_FILE: credentials.certificates.jaeger.keyFile,
          JAEGER_QUERY_HTPASSWD_FILE: credentials.jaegerQueryHtpasswd,
          JAEGER_STORAGE_CA_FILE: credentials.caFile,
          JAEGER_STORAGE_TOKEN: credentials.jaegerStorageToken,
        }),
      },
      signature: 'jaeger',
    };
  },
  healthy: (e, s) => answers(`${e.jaeger}/api/services`, webLogin('jaeger', s)),
  describe: (e) =>
    `${e.jaeger}  (API: /api/traces/{traceId}, /api/v3/traces/{traceId}; no UI assets in the source build)${e.jaeger.startsWith('https:') ? ', TLS + basic auth' : ''}`,
};
