import { TAKEOVER_SHARE, versionChanges } from '../analysis/version-changes.ts';
import type { Deployment, VersionDetection } from '../contracts/api/deployments.ts';
import type { TimeRange } from '../contracts/time-range.ts';
import type { Client } from '../storage/client.ts';
import type { DeploymentStore, MarkedDeployment } from '../storage/deployment-store.ts';
import {
  firstSpanOf,
  MAX_VERSIONS,
  serviceVersions,
  versionWeights,
} from '../storage/queries/service-versions.ts';

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * The deploys the service's spans show: each time a version takes over (analysis/
 * version-changes.ts) in buckets of `intervalMs`, at the first span of the new version's run up
 * to it. Read through {@link deploymentsOf} by the deploys list and by the faulty-deployment
 * rule, so both see one set.
 */
async function detectDeployments(
  client: Client,
  service: string,
  range: TimeRange,
  intervalMs: number,
): Promise<{ deployments: Deployment[]; detection: VersionDetection }> {
  const { hasSpans, versions } = await serviceVersions(client, service, range);
  const names = versions.map((v) => v.version);
  const changes = versionChanges(
    names,
    await versionWeights(client, service, names, range, intervalMs),
  );
  const deployments = await Promise.all(
    changes.map(async (change): Promise<Deployment> => {
      const run = { from: change.since, to: Math.min(range.to, change.takenOverAt + intervalMs) };
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
  return { deployments, detection: detection(service, hasSpans, names, intervalMs) };
}

/**
 * The service's deploys in the range, detected from its spans and marked, oldest first, and
 * what its spans say about versions: what the deploys list shows and the newest deploy is
 * taken from.
 */
export async function deploymentsOf(
  client: Client,
  store: DeploymentStore,
  service: string,
  range: TimeRange,
  intervalMs: number,
): Promise<{ deployments: Deployment[]; detection: VersionDetection }> {
  const [detected, marked] = await Promise.all([
    detectDeployments(client, service, range, intervalMs),
    store.list(service, range),
  ]);
  const deployments = [...detected.deployments, ...marked.map(markedDeployment)].sort(
    (a, b) => Date.parse(a.at) - Date.parse(b.at),
  );
  return { deployments, detection: detected.detection };
}

/** A marked deploy as the deploys list shows it. */
export const markedDeployment = (marked: MarkedDeployment): Deployment => ({
  service: marked.service,
  version: marked.version,
  at: marked.at,
  source: 'marked',
  previousVersion: null,
  by: marked.by,
  link: marked.link,
});

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
