import type { Express } from 'express';
import { SlidingFigures } from '../analysis/sliding-figures.ts';
import { expressApp, type ApiDependencies } from '../api/app.ts';
import type { Client } from '../storage/client.ts';
import { clusterChecks } from '../storage/cluster-health.ts';
import { DeploymentStore } from '../storage/deployment-store.ts';
import { IncidentStore } from '../storage/incident-store.ts';
import { documentCount } from '../storage/queries/document-count.ts';
import { serviceFigures } from '../storage/queries/service-figures.ts';

/** What the API is started with: everything it needs but what is made from the client. */
export type ApiOptions = Omit<
  ApiDependencies,
  'cluster' | 'serviceFigures' | 'incidents' | 'deployments'
> & {
  readonly client: Client;
};

/**
 * The analysis API over one Elasticsearch client. What its routes ask the cluster, and the
 * stateful sliding-window figures (the overview asks for the same window every 10 s: only what
 * moved is read), are made here once and handed in, so the API layer calls no client method and
 * keeps no cache of its own.
 */
export function createApi(options: ApiOptions): Express {
  const { client, now } = options;
  return expressApp({
    ...options,
    cluster: clusterChecks(client),
    incidents: new IncidentStore(client),
    deployments: new DeploymentStore(client),
    serviceFigures: new SlidingFigures({
      read: (range) => serviceFigures(client, range),
      count: (range) => documentCount(client, range),
      now,
    }),
  });
}
