import express, { type Express } from 'express';
import type { AlertStore } from '../storage/alert-store.ts';
import type { DeploymentStore } from '../storage/deployment-store.ts';
import type { IncidentStore } from '../storage/incident-store.ts';
import type { AlertRule } from '../alerts/rules.ts';
import type { Slo } from '../alerts/slo.ts';
import { bearerToken } from './auth.ts';
import { consoleRoutes } from './console.ts';
import { ApiError, elasticsearchUnavailable, errorHandler } from './errors.ts';
import { openApiDocument } from './openapi.ts';
import { reply } from './reply.ts';
import { alertRoutes } from './routes/alerts.ts';
import { deploymentRoutes } from './routes/deployments.ts';
import { differenceRoutes } from './routes/differences.ts';
import { incidentRoutes } from './routes/incidents.ts';
import { analysisRoutes } from './routes/analysis.ts';
import { logRoutes } from './routes/logs.ts';
import { traceRoutes } from './routes/traces.ts';
import { healthRoutes, type ComponentUrls } from './routes/health.ts';
import { serviceMapRoutes } from './routes/service-map.ts';
import { silenceRoutes } from './routes/silences.ts';
import { storageRoutes } from './routes/storage.ts';
import { notificationRoutes, type NotificationDelivery } from './routes/notifications.ts';
import type { AlertmanagerSettings } from '../alerts/alertmanager.ts';
import type { ServiceMetrics } from './service-metrics.ts';
import type { SlidingFigures } from '../analysis/sliding-figures.ts';
import type { Client } from '../storage/client.ts';
import type { ClusterChecks } from '../storage/cluster-health.ts';
import type { StorageSettings } from '../storage/maintenance/status.ts';

/** What the API works with, made once by the composition root (src/service/api.ts). */
export interface ApiDependencies {
  /** Handed on to the storage functions of the routes that read telemetry. */
  readonly client: Client;
  readonly store: AlertStore;
  readonly incidents: IncidentStore;
  /** Deploys pipelines marked. */
  readonly deployments: DeploymentStore;
  readonly cluster: ClusterChecks;
  /** Every service's figures over a sliding window; stateful, so made once per service. */
  readonly serviceFigures: SlidingFigures;
  readonly rules: readonly AlertRule[];
  readonly slos: readonly Slo[];
  readonly apiToken: string | undefined;
  readonly metrics: ServiceMetrics;
  readonly now: () => number;
  readonly log: (message: string) => void;
  /** Where the built console is (dist/console); without it, no console is served. */
  readonly consoleDir?: string | undefined;
  /** Where silences go (and where alerts are pushed); without it, /silences answers 503. */
  readonly alertmanager?: AlertmanagerSettings | undefined;
  /** Links the console offers (GET /api/v1/links): the Jaeger UI, where there is one. */
  readonly links?: { readonly jaegerUi?: string | undefined } | undefined;
  /** Where Alertmanager's notifications are delivered; without it, every receiver is unknown. */
  readonly notifications?: NotificationDelivery | undefined;
  /** The stack's other servers, for GET /api/v1/health. */
  readonly components?: ComponentUrls | undefined;
  /** Retention and the disk budget in force, for GET /api/v1/storage. */
  readonly storage: StorageSettings;
}

/** The analysis API (`/api/v1`), plus /healthz, /readyz, /metrics and the console at `/`. */
export function expressApp(deps: ApiDependencies): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use((req, res, next) => {
    res.on('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      deps.metrics.requests.inc({
        route: `${req.baseUrl}${route}`,
        status: String(res.statusCode),
      });
    });
    next();
  });

  app.get('/healthz', (_req, res) => {
    reply(res, 'GET /healthz', { status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await deps.cluster.answers();
    } catch (error) {
      // Any failure means not ready (a refused login too, which elsewhere is a 500).
      throw elasticsearchUnavailable(error);
    }
    reply(res, 'GET /readyz', { status: 'ready' });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  const api = express.Router();
  api.use(bearerToken(deps.apiToken));
  const openApi = openApiDocument(); // derived from the schemas: the same for every request
  api.get('/openapi.json', (_req, res) => {
    reply(res, 'GET /api/v1/openapi.json', openApi);
  });
  api.get('/links', (_req, res) => {
    reply(res, 'GET /api/v1/links', { jaegerUi: deps.links?.jaegerUi ?? null });
  });
  api.get('/rules', (_req, res) => {
    reply(res, 'GET /api/v1/rules', { rules: deps.rules });
  });
  api.use(alertRoutes(deps.client, deps.store, deps.slos, deps.now));
  api.use(
    incidentRoutes(deps.incidents, deps.now, { alertmanager: deps.alertmanager, log: deps.log }),
  );
  api.use(deploymentRoutes(deps.client, deps.deployments, deps.rules, deps.now));
  api.use(logRoutes(deps.client, deps.now));
  api.use(traceRoutes(deps.client, deps.now));
  api.use(healthRoutes(deps.cluster, deps.components ?? {}));
  api.use(silenceRoutes(deps.store, deps.incidents, deps.alertmanager, deps.now, deps.log));
  api.use(storageRoutes(deps.client, deps.storage));
  api.use(notificationRoutes(deps.notifications));
  api.use(differenceRoutes(deps.client, deps.now));
  api.use(serviceMapRoutes(deps));
  api.use(analysisRoutes(deps));
  app.use('/api/v1', api);
  if (deps.consoleDir !== undefined) app.use(consoleRoutes(deps.consoleDir));

  app.use((req, _res, next) => {
    next(new ApiError(404, 'not_found', `no such endpoint: ${req.method} ${req.path}`));
  });
  app.use(errorHandler(deps.log));
  return app;
}
