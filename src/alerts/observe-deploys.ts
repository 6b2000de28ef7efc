import { defaultInterval, type TimeRange } from '../contracts/time-range.ts';
import type { Client } from '../storage/client.ts';
import { DeploymentStore } from '../storage/deployment-store.ts';
import type { EvaluationReader } from '../storage/evaluation-reader.ts';
import { servicesChangingVersion } from '../storage/queries/service-versions.ts';
import { compareDeploy, newestDeploy } from './deploy-comparison.ts';
import { observation } from './observation.ts';
import { deployThresholds, type FaultyDeploymentRule } from './rules.ts';
import type { Observation } from './state-machine.ts';

/**
 * Per service with a deploy in the window (its spans carry two versions there, or a pipeline
 * marked one): its newest deploy, compared with the version it replaced (deploy-comparison.ts).
 * Active while the new version is worse; one alert per service and version, so a fix shipped
 * as the next version ends the bad one's alert. Services whose spans kept one version and that
 * nobody marked cost nothing beyond the one search that lists the others.
 */
export async function faultyDeployments(
  client: Client,
  read: EvaluationReader,
  rule: FaultyDeploymentRule,
  range: TimeRange,
): Promise<Observation[]> {
  const store = new DeploymentStore(client);
  const [changing, marked] = await Promise.all([
    servicesChangingVersion(client, range, rule.service),
    rule.service === undefined
      ? store.services(range)
      : store.list(rule.service, range).then((list) => list.map((d) => d.service)),
  ]);
  // Versions are weighed in the buckets the deploys list uses, so both find the same deploys.
  const intervalMs = defaultInterval(range);
  const services = [...new Set([...changing, ...marked])];
  const judged = await Promise.all(
    services.map(async (service) => {
      const deploy = await newestDeploy(client, store, service, range, intervalMs);
      if (!deploy) return [];
      const comparison = await compareDeploy(client, deploy, range.to, deployThresholds(rule));
      const active = comparison.verdict === 'worse';
      const after = { from: deploy.at, to: range.to };
      const failed = (comparison.after?.failed ?? 0) > 0;
      const exemplars = active
        ? await read.exemplars(failed ? 'failed' : 'slowest', service, after)
        : [];
      const query = `service=${encodeURIComponent(service)}&version=${encodeURIComponent(deploy.version)}`;
      return [
        observation({
          rule,
          service,
          value: active ? comparison.evidence.length : 0,
          active,
          exemplars,
          labels: { version: deploy.version },
          details: {
            version: deploy.version,
            previous_version: deploy.previousVersion ?? '(none)',
            deployed_at: comparison.at,
            verdict: comparison.verdict,
            evidence: comparison.evidence.join('; '),
            // The console's service page opens the deploy's comparison; the API answers it.
            comparison: `/services/${encodeURIComponent(service)}?deploy=${encodeURIComponent(deploy.version)}`,
            comparison_api: `/api/v1/deployments/comparison?${query}&at=${encodeURIComponent(comparison.at)}`,
          },
        }),
      ];
    }),
  );
  return judged.flat();
}
