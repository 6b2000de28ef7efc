/**
 * The log-analysis service (`npm run analysis`, `bin/analysis.ts`). Loads and validates the alert rules, evaluates
 * them on a schedule and serves the API. Elasticsearch being down never stops it: the API
 * answers 503 with the reason and evaluation resumes. Index templates are installed by
 * `stack:up` or `npm run es:templates`, not here: this long-running service needs no rights to
 * change indices it does not own.
 */
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { AlertEngine } from '../alerts/engine.ts';
import { loadRulesFile } from '../alerts/rules.ts';
import { serviceMetrics } from '../api/service-metrics.ts';
import { AlertLease } from '../storage/alert-lease.ts';
import { AlertStore } from '../storage/alert-store.ts';
import { createElasticsearchClient } from '../storage/client.ts';
import { createApi } from './api.ts';
import { elasticsearchSettings, loadServiceConfig, loggable } from './config.ts';

/** The service's one logger; also reports a failed start (bin/analysis.ts). */
export const logger = pino({ name: 'lantern-analysis' });

/** dist/console beside src/ (or dist/) in a checkout and in the container image. */
const consoleDir = fileURLToPath(new URL('../../dist/console/', import.meta.url));

/** Starts the service from the environment; throws on invalid configuration or rules. */
export function startAnalysisService(): void {
  const config = loadServiceConfig();
  const { rules, slos } = loadRulesFile(config.LANTERN_RULES_FILE);
  logger.info(
    { config: loggable(config), rules: rules.map((r) => r.name), slos: slos.map((s) => s.name) },
    'starting',
  );
  if (rules.length === 0)
    logger.warn(`no alert rules in ${config.LANTERN_RULES_FILE}: evaluating nothing`);
  const client = createElasticsearchClient(elasticsearchSettings(config));
  const warn = (message: string): void => {
    logger.warn(message);
  };
  const store = new AlertStore(client);
  const alertmanager = config.LANTERN_ALERTMANAGER_URL
    ? { url: config.LANTERN_ALERTMANAGER_URL, publicUrl: config.publicUrl }
    : undefined;
  const metrics = serviceMetrics();
  // A replica with no rules (an API-only one) never takes the lease from one that has them.
  const lease =
    rules.length === 0
      ? undefined
      : new AlertLease(client, {
          holder: config.replicaId,
          ttlMs: config.LANTERN_ALERT_LEASE,
          now: Date.now,
        });
  const engine = new AlertEngine(client, store, rules, {
    intervalMs: config.LANTERN_EVAL_INTERVAL,
    queryOffsetMs: config.LANTERN_QUERY_OFFSET,
    alertmanager,
    now: Date.now,
    warn,
    evaluated: (outcome, seconds) => {
      metrics.evaluations.observe({ outcome }, seconds);
    },
    lease,
    roleChanged: (role, holder) => {
      metrics.evaluator.set(role === 'evaluating' ? 1 : 0);
      if (role === 'evaluating')
        logger.info(
          { replica: config.replicaId },
          'evaluating alert rules (holds the alert lease)',
        );
      else
        logger.info(
          { replica: config.replicaId, holder },
          `standing by: ${holder ?? 'another replica'} evaluates`,
        );
    },
  });
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
    links: { jaegerUi: config.LANTERN_JAEGER_UI_URL },
    components: {
      alertmanager: config.LANTERN_ALERTMANAGER_URL,
      collector: config.LANTERN_COLLECTOR_HEALTH_URL,
      jaeger: config.LANTERN_JAEGER_URL,
    },
  });
  const server: Server = app.listen(config.PORT, config.LANTERN_API_HOST, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.PORT;
    logger.info({ port }, 'analysis API listening');
    process.stdout.write(`${JSON.stringify({ listening: port })}\n`);
  });
  engine.start();
  const stop = (): void => {
    logger.info('stopping');
    void engine.stop().finally(() => {
      server.close();
      void client.close();
    });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
