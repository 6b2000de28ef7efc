import express, { Router } from 'express';
import { compareDeploy, findDeploy } from '../../alerts/deploy-comparison.ts';
import { deploymentsOf, markedDeployment } from '../../alerts/deploy-detection.ts';
import { DEFAULT_DEPLOY_THRESHOLDS, type DeployThresholds } from '../../analysis/deploy-verdict.ts';
import { deployThresholds, type AlertRule } from '../../alerts/rules.ts';
import type { Client } from '../../storage/client.ts';
import type { DeploymentStore, MarkedDeployment } from '../../storage/deployment-store.ts';
import { ApiError } from '../errors.ts';
import {
  bucketInterval,
  deploymentBody,
  deploymentComparisonQuery,
  deploymentsQuery,
  parseParams,
  timeRange,
} from '../params.ts';
import { reply } from '../reply.ts';

const iso = (ms: number): string => new Date(ms).toISOString();

/** Without `at=`, the deploy of a version is looked for this far back. */
const COMPARED_DEPLOY_LOOKBACK_MS = 7 * 86_400_000;
/**
 * In this many buckets (10 minutes each over 7 days), so a version that took over for less than
 * a list's 60-bucket interval is still found; 50 versions' filters in 1,000 buckets stay under
 * Elasticsearch's 65,536-bucket limit. The deploy's time is its first span, whatever the width.
 */
const COMPARED_DEPLOY_BUCKETS = 1000;

/** Deploys: one service's, detected from its spans and marked; marking one; comparing one. */
export function deploymentRoutes(
  client: Client,
  store: DeploymentStore,
  rules: readonly AlertRule[],
  now: () => number,
): Router {
  const router = Router();
  // The comparison judges a deploy as the faulty-deployment rule does, when one is loaded.
  const faulty = rules.find((rule) => rule.kind === 'faulty_deployment');
  const thresholds: DeployThresholds = faulty
    ? deployThresholds(faulty)
    : DEFAULT_DEPLOY_THRESHOLDS;
  router.get('/deployments', async (req, res) => {
    const q = parseParams(deploymentsQuery, req.query);
    const range = timeRange(q, now());
    const { deployments, detection } = await deploymentsOf(
      client,
      store,
      q.service,
      range,
      bucketInterval(range, undefined),
    );
    reply(res, 'GET /api/v1/deployments', {
      service: q.service,
      from: iso(range.from),
      to: iso(range.to),
      deployments,
      detection,
    });
  });
  router.get('/deployments/comparison', async (req, res) => {
    const q = parseParams(deploymentComparisonQuery, req.query);
    const at = now();
    const range = { from: at - COMPARED_DEPLOY_LOOKBACK_MS, to: at };
    const intervalMs =
      Math.ceil(COMPARED_DEPLOY_LOOKBACK_MS / COMPARED_DEPLOY_BUCKETS / 1000) * 1000;
    const deploy = await findDeploy(client, store, q, range, intervalMs);
    // An unknown version is a 404, like an unknown alert: the request is well formed, the
    // deploy it names does not exist (in the last 7 days, without `at`).
    if (!deploy)
      throw new ApiError(
        404,
        'not_found',
        `no deploy of version "${q.version}" of service "${q.service}" in the last 7 days: ` +
          'none detected from its spans, none marked, and no span carries that version',
      );
    reply(
      res,
      'GET /api/v1/deployments/comparison',
      await compareDeploy(client, deploy, at, thresholds),
    );
  });
  router.post('/deployments', express.json({ limit: '16kb' }), async (req, res) => {
    const body = parseParams(deploymentBody, req.body ?? {});
    const at = now();
    const marked: MarkedDeployment = {
      service: body.service,
      version: body.version,
      at: iso(body.at ?? at),
      by: body.by ?? null,
      link: body.link ?? null,
      markedAt: iso(at),
    };
    await store.mark(marked);
    reply(res, 'POST /api/v1/deployments', markedDeployment(marked));
  });
  return router;
}
