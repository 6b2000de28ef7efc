import type { Express } from 'express';
import { expressApp, type ApiDependencies } from '../api/app.ts';
import type { Client } from '../storage/client.ts';
import { clusterChecks } from '../storage/cluster-health.ts';

/** What the API is started with: everything it needs but what is made from the client. */
export type ApiOptions = Omit<ApiDependencies, 'cluster'> & { readonly client: Client };

/**
 * The analysis API over one Elasticsearch client: what its routes ask the cluster is made here,
 * once, and handed in, so the API layer never calls the client itself.
 */
export function createApi(options: ApiOptions): Express {
  return expressApp({ ...options, cluster: clusterChecks(options.client) });
}
