import { readFileSync } from 'node:fs';
import { Client, type ClientOptions } from '@elastic/elasticsearch';

/**
 * The handle the other layers hold and pass to storage's functions. Only src/storage calls its
 * methods: every index, search and cluster call is written here.
 */
export type { Client };

/** Connection settings for Elasticsearch. */
export interface ElasticsearchSettings {
  /** One node's URL, or the nodes of one cluster separated by commas. */
  readonly url: string;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly apiKey?: string | undefined;
  /** PEM file of the CA that signed Elasticsearch's TLS certificate. */
  readonly caFile?: string | undefined;
  readonly requestTimeoutMs?: number | undefined;
}

/** The one way Lantern builds an Elasticsearch client. */
export function createElasticsearchClient(settings: ElasticsearchSettings): Client {
  const options: ClientOptions = {
    // Several nodes: a request that finds one down is retried on another.
    nodes: settings.url.split(',').map((url) => url.trim()),
    requestTimeout: settings.requestTimeoutMs ?? 10_000,
    maxRetries: 2,
  };
  if (settings.apiKey !== undefined) options.auth = { apiKey: settings.apiKey };
  else if (settings.username !== undefined) {
    options.auth = { username: settings.username, password: settings.password ?? '' };
  }
  if (settings.caFile !== undefined) options.tls = { ca: readFileSync(settings.caFile, 'utf8') };
  return new Client(options);
}
