import { createHash } from 'node:crypto';
import type { Client } from '@elastic/elasticsearch';
import { indices } from '../contracts/indices.ts';
import type { TimeRange } from '../contracts/time-range.ts';
import { lenient } from './queries/search-options.ts';
import { rangeFilter } from './queries/time-range.ts';

/** A deploy a pipeline marked, as stored. */
export interface MarkedDeployment {
  readonly service: string;
  readonly version: string;
  /** RFC 3339. */
  readonly at: string;
  readonly by: string | null;
  readonly link: string | null;
  /** When Lantern was told, RFC 3339. */
  readonly markedAt: string;
}

/** At most this many marked deploys of one service in one range are listed. */
const LIST_LIMIT = 1000;

/**
 * Marked deploys in Elasticsearch. One is stored under an id made of its service, version and
 * time, so a pipeline that retries its request marks the deploy once (the retry's `by` and
 * `link` win). Writes wait for the refresh, so a marker is listed as soon as it is answered.
 */
export class DeploymentStore {
  private readonly client: Client;

  constructor(client: Client) {
    this.client = client;
  }

  async mark(deployment: MarkedDeployment): Promise<void> {
    await this.client.index({
      index: indices.deployments.index,
      id: markerId(deployment),
      document: deployment,
      refresh: 'wait_for',
    });
  }

  /** One service's marked deploys in [from, to), oldest first. */
  async list(service: string, range: TimeRange): Promise<MarkedDeployment[]> {
    const result = await this.client.search<MarkedDeployment>({
      index: indices.deployments.index,
      size: LIST_LIMIT,
      ...lenient,
      query: { bool: { filter: [{ term: { service } }, rangeFilter('at', range)] } },
      sort: [{ at: { order: 'asc' } }],
    });
    return result.hits.hits.flatMap((hit) => (hit._source ? [hit._source] : []));
  }

  /** The services with a marked deploy in [from, to) (at most `limit`). */
  async services(range: TimeRange, limit = 1000): Promise<string[]> {
    const result = await this.client.search({
      index: indices.deployments.index,
      size: 0,
      ...lenient,
      query: { bool: { filter: [rangeFilter('at', range)] } },
      aggs: { services: { terms: { field: 'service', size: limit } } },
    });
    const services = result.aggregations?.services as { buckets?: { key: string }[] } | undefined;
    return (services?.buckets ?? []).map((bucket) => bucket.key);
  }
}

const markerId = (deployment: MarkedDeployment): string =>
  createHash('sha256')
    .update(JSON.stringify([deployment.service, deployment.version, deployment.at]))
    .digest('hex')
    .slice(0, 24);
