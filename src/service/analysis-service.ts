/**
 * The log-analysis service (`npm run analysis`, `bin/analysis.ts`). Loads and validates the
 * alert rules, evaluates them on a schedule and serves the API. Elasticsearch being down never
 * stops it: the API answers 503 with the reason and evaluation resumes. Index templates are
 * installed by `stack:up` or `npm run es:templates`, not here: this long-running service needs
 * no rights to change indices it does not own.
 */
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Express } from 'express';
import pino from 'pino';
import { AlertEngine } from '../alerts/engine.ts';
import type { AlertmanagerSettings } from '../alerts/alertmanager.ts';
import { loadRulesFile, type AlertRule } from '../alerts/rules.ts';
import { loadNotificationPolicy, type NotificationPolicy } from '../alerts/notifications/policy.ts';
import {
  outcomeEntry,
  outcomeRecorder,
  type NotificationOutcome,
} from '../alerts/notifications/outcome.ts';
import { IncidentGrouper } from '../alerts/incident-grouper.ts';
import type { EngineRole } from '../alerts/scheduler.ts';
import { serviceMetrics, type ServiceMetrics } from '../api/service-metrics.ts';
import { AlertLease } from '../storage/alert-lease.ts';
import { AlertStore } from '../storage/alert-store.ts';
import { createElasticsearchClient, type Client } from '../storage/client.ts';
import { dataDisk } from '../storage/maintenance/disk.ts';
import { budgetOn } from '../storage/maintenance/plan.ts';
import { isElasticsearchUnavailable } from '../storage/unavailable.ts';
import { IncidentStore } from '../storage/incident-store.ts';
import { serviceCalls } from '../storage/queries/service-calls.ts';
import { createApi } from './api.ts';
import {
  elasticsearchSettings,
  loadServiceConfig,
  loggable,
  storageSettings,
  type ServiceConfig,
} from './config.ts';
import { StorageMaintenance } from './storage-maintenance.ts';

/** The service's one logger; also reports a failed start (bin/analysis.ts). */
export const logger = pino({ name: 'lantern-analysis' });

/** dist/console beside src/ (or dist/) in a checkout and in the container image. */
const consoleDir = fileURLToPath(new URL('../../dist/console/', import.meta.url));

/**
 * Starts the service from the environment; throws on invalid configuration, rules or
 * notifications file, or a storage budget larger than Elasticsearch's disk. Config → rules and
 * notifications → client → budget check → store, engine, storage maintenance and API → listen,
 * evaluate, maintain → stop on SIGTERM or SIGINT.
 */
export async function startAnalysisService(): Promise<void> {
  const config = loadServiceConfig();
  const { rules, slos } = loadRulesFile(config.LANTERN_RULES_FILE);
  const policy = loadNotificationPolicy(config.LANTERN_NOTIFICATIONS_FILE);
  logger.info(
    {
      config: loggable(config),
      rules: rules.map((r) => r.name),
      slos: slos.map((s) => s.name),
      // Names only: a receiver's URL may carry a token, and its SMTP URL a password.
      receivers: [...policy.receivers.keys()],
    },
    'starting',
  );
  if (rules.length === 0)
    logger.warn(`no alert rules in ${config.LANTERN_RULES_FILE}: evaluating nothing`);
  const client = createElasticsearchClient(elasticsearchSettings(config));
  await checkBudgetFits(client, config);
  const store = new AlertStore(client);
  const incidents = new IncidentStore(client);
  const metrics = serviceMetrics();
  const alertmanager = config.LANTERN_ALERTMANAGER_URL
    ? { url: config.LANTERN_ALERTMANAGER_URL, publicUrl: config.publicUrl }
    : undefined;
  // A replica without rules serves the API only: evaluating would retire every other
  // replica's alerts (their rules are not its own) and close their incidents.
  const engine =
    rules.length === 0
      ? undefined
      : alertEngine({ config, client, store, incidents, rules, metrics, alertmanager, policy });
  const app = createApi({
    client,
    store,
    rules,
    slos,
    apiToken: config.LANTERN_API_TOKEN,
    metrics,
    now: Date.now,
    log: (message) => {
      logger.error(message);
    },
    consoleDir,
    alertmanager,
    notifications: {
      policy,
      record: outcomeRecorder((outcome) => recordOutcome(incidents, outcome)),
      consoleUrl: config.publicUrl,
      now: Date.now,
      log: (message) => {
        logger.error(message);
      },
    },
    links: { jaegerUi: config.LANTERN_JAEGER_UI_URL },
    storage: storageSettings(config),
    components: {
      alertmanager: config.LANTERN_ALERTMANAGER_URL,
      collector: config.LANTERN_COLLECTOR_HEALTH_URL,
      jaeger: config.LANTERN_JAEGER_URL,
    },
  });
  const server = listen(app, config);
  const maintenance = storageMaintenance(client, config);
  engine?.start();
  maintenance.start();
  stopOnSignals(() => {
    void Promise.all([engine?.stop(), maintenance.stop()]).finally(() => {
      server.close();
      void client.close();
    });
  });
}

/**
 * Refuses a budget larger than the disk Elasticsearch keeps its data on. Elasticsearch down at
 * start stops nothing: storage maintenance checks again on every round and says so.
 */
async function checkBudgetFits(client: Client, config: ServiceConfig): Promise<void> {
  let disk;
  try {
    disk = await dataDisk(client, { requestTimeout: 5000, maxRetries: 0 });
  } catch (error) {
    if (!isElasticsearchUnavailable(error)) throw error;
    logger.warn('Elasticsearch did not answer: LANTERN_STORAGE_BUDGET is checked once it does');
    return;
  }
  const fits = budgetOn(config.LANTERN_STORAGE_BUDGET, disk.totalBytes);
  if ('problem' in fits)
    throw new Error(`invalid configuration:\n  LANTERN_STORAGE_BUDGET: ${fits.problem}`);
}

/** Storage maintenance, in the one replica holding its lease (every replica competes). */
function storageMaintenance(client: Client, config: ServiceConfig): StorageMaintenance {
  return new StorageMaintenance(client, {
    retention: { logs: config.LANTERN_RETENTION_LOGS, spans: config.LANTERN_RETENTION_SPANS },
    alertRetentionDays: config.LANTERN_RETENTION_ALERTS,
    budget: config.LANTERN_STORAGE_BUDGET,
    intervalMs: config.LANTERN_STORAGE_INTERVAL,
    now: Date.now,
    utcOffsetMinutes: (at) => -new Date(at).getTimezoneOffset(),
    lease: new AlertLease(client, {
      id: 'storage-maintenance',
      holder: config.replicaId,
      // Two rounds without renewal: a replica gone is replaced within a minute or so.
      ttlMs: 2 * config.LANTERN_STORAGE_INTERVAL + 10_000,
      now: Date.now,
    }),
    log: {
      info: (fields, message) => {
        logger.info(fields, message);
      },
      warn: (message) => {
        logger.warn(message);
      },
    },
  });
}

/** What the service made that its alert engine works with. */
interface EngineParts {
  readonly config: ServiceConfig;
  readonly client: Client;
  readonly store: AlertStore;
  readonly rules: readonly AlertRule[];
  readonly metrics: ServiceMetrics;
  readonly incidents: IncidentStore;
  readonly alertmanager: AlertmanagerSettings | undefined;
  readonly policy: NotificationPolicy;
}

/** The alert engine of this replica, sharing a lease with the others. */
function alertEngine({
  config,
  client,
  store,
  incidents,
  rules,
  metrics,
  alertmanager,
  policy,
}: EngineParts): AlertEngine {
  const lease = new AlertLease(client, {
    holder: config.replicaId,
    ttlMs: config.LANTERN_ALERT_LEASE,
    now: Date.now,
  });
  return new AlertEngine(client, store, rules, {
    intervalMs: config.LANTERN_EVAL_INTERVAL,
    queryOffsetMs: config.LANTERN_QUERY_OFFSET,
    alertmanager,
    notificationPolicy: policy,
    now: Date.now,
    warn: (message) => {
      logger.warn(message);
    },
    evaluated: (outcome, seconds) => {
      metrics.evaluations.observe({ outcome }, seconds);
    },
    lease,
    incidents: new IncidentGrouper(incidents, {
      calls: (range) => serviceCalls(client, range),
    }),
    roleChanged: (role, holder) => {
      metrics.evaluator.set(role === 'evaluating' ? 1 : 0);
      logRole(config.replicaId, role, holder);
    },
  });
}

/**
 * A notification's outcome in the service log (receiver names, never their addresses) and on
 * its incident's timeline.
 */
async function recordOutcome(
  incidents: IncidentStore,
  outcome: NotificationOutcome,
): Promise<void> {
  const { error, ...rest } = outcome;
  if (error === undefined) logger.info(rest, 'notified');
  else logger.warn({ ...rest, error }, 'failed to notify (Alertmanager retries)');
  const entry = outcomeEntry(outcome);
  if (entry) await incidents.appendTimeline([entry]);
}

function logRole(replica: string, role: EngineRole, holder: string | undefined): void {
  if (role === 'evaluating')
    logger.info({ replica }, 'evaluating alert rules (holds the alert lease)');
  else logger.info({ replica, holder }, `standing by: ${holder ?? 'another replica'} evaluates`);
}

/**
 * Serves the API; logs the port it listens on (the one asked for, or the one the system chose
 * for PORT=0): the line tools and tests wait for.
 */
function listen(app: Express, config: ServiceConfig): Server {
  const server = app.listen(config.PORT, config.LANTERN_API_HOST, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.PORT;
    logger.info({ port }, 'analysis API listening');
  });
  return server;
}

/** Stops on SIGTERM or SIGINT. */
function stopOnSignals(stop: () => void): void {
  const stopping = (): void => {
    logger.info('stopping');
    stop();
  };
  process.once('SIGTERM', stopping);
  process.once('SIGINT', stopping);
}
