import { Router } from 'express';
import { httpTarget } from '../../contracts/http-target.ts';
import type { ClusterChecks } from '../../storage/cluster-health.ts';
import type { ComponentHealth } from '../../contracts/api/operations.ts';
import { reply } from '../reply.ts';

/** Where the other servers of the stack answer, as far as this service knows them. */
export interface ComponentUrls {
  readonly alertmanager?: string | undefined;
  /** The Collector's health_check extension. */
  readonly collector?: string | undefined;
  /** Jaeger's query service. */
  readonly jaeger?: string | undefined;
}

const TIMEOUT_MS = 2000;

async function answers(
  name: ComponentHealth['name'],
  url: string | undefined,
): Promise<ComponentHealth> {
  if (url === undefined) return { name, state: 'unknown', detail: 'not configured' };
  try {
    const target = httpTarget(url);
    const response = await fetch(target.url, {
      headers: target.headers,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    await response.arrayBuffer();
    return response.ok
      ? { name, state: 'up', detail: `HTTP ${response.status}` }
      : { name, state: 'down', detail: `HTTP ${response.status}` };
  } catch (error) {
    return { name, state: 'down', detail: (error as Error).message };
  }
}

/** GET /health: every server of the stack this service can reach, checked now and at once. */
export function healthRoutes(cluster: ClusterChecks, urls: ComponentUrls): Router {
  const router = Router();
  // Credentials in the URL stay in it: answers() turns them into a header.
  const base = (url: string | undefined, path: string) =>
    url === undefined ? undefined : `${url.replace(/\/+$/, '')}${path}`;
  router.get('/health', async (_req, res) => {
    const components = await Promise.all([
      cluster.health().then((health): ComponentHealth => ({ name: 'elasticsearch', ...health })),
      answers('collector', urls.collector),
      answers('jaeger', base(urls.jaeger, '/api/services')),
      answers('alertmanager', base(urls.alertmanager, '/-/healthy')),
    ]);
    reply(res, 'GET /api/v1/health', { components });
  });
  return router;
}
