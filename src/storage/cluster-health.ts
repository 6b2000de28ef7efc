import type { Client } from '@elastic/elasticsearch';

/** The cluster as a server of the stack: up (green), degraded (yellow) or down (red, or silent). */
export interface ClusterHealth {
  readonly state: 'up' | 'degraded' | 'down';
  readonly detail: string;
}

/** What the API asks Elasticsearch about itself; made over one client by the composition root. */
export interface ClusterChecks {
  /** Resolves when Elasticsearch answers at all (one node, one try); throws why it did not. */
  answers(): Promise<void>;
  /** The cluster's health; never throws. */
  health(): Promise<ClusterHealth>;
}

/** How long a health check waits for the cluster to say how it is. */
const WAIT = '2s';
const WAIT_MS = 2000;

export function clusterChecks(client: Client): ClusterChecks {
  return {
    async answers() {
      await client.cluster.health(
        { timeout: WAIT },
        { requestTimeout: WAIT_MS + 1000, maxRetries: 0 },
      );
    },
    async health() {
      try {
        // Each node once: a cluster that has lost one node is degraded, not down, and the node a
        // request happens to pick first may be the one that is gone.
        const health = await client.cluster.health(
          { timeout: WAIT },
          { requestTimeout: WAIT_MS + 1000, maxRetries: client.connectionPool.size - 1 },
        );
        const state =
          health.status === 'red' ? 'down' : health.status === 'yellow' ? 'degraded' : 'up';
        return { state, detail: `cluster ${health.status}` };
      } catch (error) {
        return { state: 'down', detail: (error as Error).message };
      }
    },
  };
}
