import { Client } from '@elastic/elasticsearch';

/** Connection settings for Elasticsearch. */
export interface ElasticsearchSettings {
  readonly url: string;
  readonly requestTimeoutMs?: number;
}

/** The one way Lantern builds an Elasticsearch client. */
export function createElasticsearchClient(settings: ElasticsearchSettings): Client {
  return new Client({
    node: settings.url,
    requestTimeout: settings.requestTimeoutMs ?? 10_000,
    maxRetries: 2,
  });
}
