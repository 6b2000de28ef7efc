import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { securedCredentials } from './credentials.ts';
import { repoRoot } from './paths.ts';
import type { StackServer } from './server.ts';
import { elasticsearchUrls, type StackSettings } from './settings.ts';
import { ES_USERS } from './credentials.ts';

/** Jaeger reaches it, and the stack checks it, as localhost: the name on its certificate. */
const target = (s: StackSettings): string => `localhost:${String(s.LANTERN_JAEGER_STORAGE_PORT)}`;

/**
 * Whether it answers TraceReader.GetServices (with the token, over TLS in secured mode): the one
 * sign that it serves what Jaeger asks, Elasticsearch included.
 */
function answersGetServices(s: StackSettings): Promise<boolean> {
  const credentials = securedCredentials(s);
  const channel = credentials
    ? grpc.credentials.createSsl(readFileSync(credentials.caFile))
    : grpc.credentials.createInsecure();
  const client = new grpc.Client(target(s), channel);
  const metadata = new grpc.Metadata();
  if (credentials) metadata.set('authorization', `Bearer ${credentials.jaegerStorageToken}`);
  const bytes = (buffer: Buffer): Buffer => buffer;
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      '/jaeger.storage.v2.TraceReader/GetServices',
      bytes,
      bytes,
      Buffer.alloc(0),
      metadata,
      { deadline: Date.now() + 5_000 },
      (error) => {
        client.close();
        resolve(!error);
      },
    );
  });
}

/**
 * Lantern's trace storage for Jaeger (bin/jaeger-storage.ts): Jaeger's Remote Storage API v2,
 * answered from lantern-spans-*. Started before Jaeger, which reads every trace through it.
 */
export const jaegerStorage: StackServer = {
  name: 'jaeger-storage',
  startTimeoutSeconds: 30,
  // Stateless: the spans are Elasticsearch's.
  dataDirs: () => [],
  ports: (s) => [{ port: s.LANTERN_JAEGER_STORAGE_PORT, variable: 'LANTERN_JAEGER_STORAGE_PORT' }],
  obtain: () => Promise.resolve(),
  daemon(s) {
    const credentials = securedCredentials(s);
    return {
      name: 'jaeger-storage',
      command: process.execPath,
      args: [join(repoRoot, 'bin', 'jaeger-storage.ts')],
      env: {
        LANTERN_JAEGER_STORAGE_ENDPOINT: `127.0.0.1:${String(s.LANTERN_JAEGER_STORAGE_PORT)}`,
        LANTERN_ES_URL: elasticsearchUrls(s).join(','),
        ...(credentials && {
          // It reads spans as the analysis service does, with that user's read-only rights.
          LANTERN_ES_USERNAME: ES_USERS.analysis.username,
          LANTERN_ES_PASSWORD: credentials.analysisPassword,
          LANTERN_ES_CA_FILE: credentials.caFile,
          LANTERN_JAEGER_STORAGE_TOKEN: credentials.jaegerStorageToken,
          LANTERN_JAEGER_STORAGE_TLS_CERT_FILE: credentials.certificates['jaeger-storage'].certFile,
          LANTERN_JAEGER_STORAGE_TLS_KEY_FILE: credentials.certificates['jaeger-storage'].keyFile,
        }),
      },
      cwd: repoRoot,
      signature: 'bin/jaeger-storage.ts',
    };
  },
  healthy: (_e, s) => answersGetServices(s),
  describe: (_e, s) =>
    `${target(s)}  (gRPC, jaeger.storage.v2 from lantern-spans-*${securedCredentials(s) ? '; TLS + token' : ''})`,
};
