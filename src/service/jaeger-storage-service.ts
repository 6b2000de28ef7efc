/**
 * Lantern's Jaeger storage (`bin/jaeger-storage.ts`): Jaeger's Remote Storage API v2 over gRPC,
 * answered from lantern-spans-*, so Jaeger shows Lantern's spans without a copy of its own. A
 * process of its own, beside Jaeger: Jaeger's trace view works whether or not the analysis
 * service runs, and the stack starts it like any other server. Elasticsearch being down never
 * stops it: each call answers UNAVAILABLE until it is back.
 */
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import pino from 'pino';
import { jaegerStorageServer } from '../api/jaeger-storage/server.ts';
import { createElasticsearchClient } from '../storage/client.ts';
import { elasticsearchSettings, loadJaegerStorageConfig } from './config.ts';

export const logger = pino({ name: 'lantern-jaeger-storage' });

/** Starts from the environment; throws on invalid configuration. Stops on SIGTERM or SIGINT. */
export async function startJaegerStorage(): Promise<void> {
  const config = loadJaegerStorageConfig();
  const client = createElasticsearchClient(elasticsearchSettings(config));
  const server = jaegerStorageServer({
    client,
    token: config.LANTERN_JAEGER_STORAGE_TOKEN,
    onError: (method, error) => {
      logger.warn({ method, err: error.message }, 'call failed');
    },
  });
  const cert = config.LANTERN_JAEGER_STORAGE_TLS_CERT_FILE;
  const key = config.LANTERN_JAEGER_STORAGE_TLS_KEY_FILE;
  const credentials =
    cert && key
      ? grpc.ServerCredentials.createSsl(
          null,
          [{ cert_chain: readFileSync(cert), private_key: readFileSync(key) }],
          false,
        )
      : grpc.ServerCredentials.createInsecure();
  const address = config.LANTERN_JAEGER_STORAGE_ENDPOINT;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(address, credentials, (error, bound) => {
      if (error) reject(new Error(`LANTERN_JAEGER_STORAGE_ENDPOINT ${address}: ${error.message}`));
      else resolve(bound);
    });
  });
  logger.info(
    {
      endpoint: address,
      port,
      tls: cert !== undefined,
      token: config.LANTERN_JAEGER_STORAGE_TOKEN === undefined ? 'unset' : 'set',
    },
    'serving jaeger.storage.v2 from lantern-spans-*',
  );
  const stop = (): void => {
    logger.info('stopping');
    server.tryShutdown(() => void client.close());
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
