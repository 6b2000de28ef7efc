import express, { Router } from 'express';
import { TAKEOVER_SHARE, versionChanges } from '../../analysis/version-changes.ts';
import type { Deployment, VersionDetection } from '../../contracts/api/deployments.ts';
import type { TimeRange } from '../../contracts/time-range.ts';
import type { Client } from '../../storage/client.ts';
import type { DeploymentStore, MarkedDeployment } from '../../storage/deployment-store.ts';
import {
  firstSpanOf,
  MAX_VERSIONS,
  serviceVersions,
  versionWeights,
} from '../../storage/queries/service-versions.ts';
import {
  bucketInterval,
  deploymentBody,
  deploymentsQuery,
  parseParams,
  timeRange,
} from '../params.ts';
import { reply } from '../reply.ts';

const iso = (ms: number): string => new Date(ms).toISOString();

/** Deploys: one service's, detected from its spans and marked, and marking one. */
export function deploymentRoutes(
  client: Client,
  store: DeploymentStore,
  now: () => number,
): Router {
  const router = Router();
  router.get('/deployments', async (req, res) => {
    const q = parseParams(deploymentsQuery, req.query);
    const range = timeRange(q, now());
    const [detected, marked] = await Promise.all([
      detectDeployments(client, q.service, range),
      store.list(q.service, range),
    ]);
    const deployments = [...detected.deployments, ...marked.map(markedDeployment)].sort(
      (a, b) => Date.parse(a.at) - Date.parse(b.at),
    );
    reply(res, 'GET /api/v1/deployments', {
      service: q.service,
      from: iso(range.from),
      to: iso(range.to),
      deployments,
      detection: detected.detection,
    });
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

const markedDeployment = (marked: MarkedDeployment): Deployment => ({
  service: marked.service,
  version: marked.version,
  at: marked.at,
  source: 'marked',
  previousVersion: null,
  by: marked.by,
  link: marked.link,
});

/**
 * The deploys the service's spans show: each time a version takes over (analysis/
 * version-changes.ts), at the first span of the new version's run up to it.
 */
async function detectDeployments(
  client: Client,
  service: string,
  range: TimeRange,
): Promise<{ deployments: Deployment[]; detection: VersionDetection }> {
  const { hasSpans, versions } = await serviceVersions(client, service, range);
  const names = versions.map((v) => v.version);
  const interval = bucketInterval(range, undefined);
  const changes = versionChanges(
    names,
    await versionWeights(client, service, names, range, interval),
  );
  const deployments = await Promise.all(
    changes.map(async (change): Promise<Deployment> => {
      const run = { from: change.since, to: Math.min(range.to, change.takenOverAt + interval) };
      const first = await firstSpanOf(client, service, change.version, run);
      return {
        service,
        version: change.version,
        at: iso(first ?? change.since),
        source: 'detected',
        previousVersion: change.previousVersion,
        by: null,
        link: null,
      };
    }),
  );
  return { deployments, detection: detection(service, hasSpans, names, interval) };
}

function detection(
  service: string,
  hasSpans: boolean,
  versions: readonly string[],
  intervalMs: number,
): VersionDetection {
  if (!hasSpans)
    return {
      status: 'no-spans',
      versions: [],
      note: `${service} has no spans in this range: no deploys are detected`,
    };
  if (versions.length === 0)
    return {
      status: 'unversioned',
      versions: [],
      note:
        `${service}'s spans in this range carry no service.version, so no deploys are detected ` +
        'from them (set it, e.g. OTEL_RESOURCE_ATTRIBUTES=service.version=1.4.2); ' +
        'marked deploys are listed',
    };
  const share = Math.round(TAKEOVER_SHARE * 100);
  return {
    status: 'versioned',
    versions: [...versions],
    note:
      `a deploy is detected where a version takes over: ${String(share)}% of the service's ` +
      `weighted spans in a ${String(intervalMs / 1000)} s bucket` +
      (versions.length >= MAX_VERSIONS
        ? `; only the first ${String(MAX_VERSIONS)} versions are looked at`
        : ''),
  };
}
