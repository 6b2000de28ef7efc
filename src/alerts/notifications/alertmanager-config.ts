import { stringify } from 'yaml';
import { SEVERITIES } from '../../contracts/severity.ts';
import { stepLabel } from './escalation.ts';
import type { NotificationPolicy } from './policy.ts';

/** How Alertmanager reaches Lantern to hand it each notification. */
export interface DeliveryEndpoint {
  /** The analysis API's base URL as Alertmanager reaches it. */
  readonly url: string;
  /** A file holding LANTERN_API_TOKEN, where the API asks for one (never the token itself). */
  readonly tokenFile?: string | undefined;
  /** The CA that signed the API's certificate, where it serves TLS with a private CA. */
  readonly caFile?: string | undefined;
}

/** The receiver of alerts no step routes: Alertmanager keeps them, nobody is told. */
export const QUIET_RECEIVER = 'lantern-quiet';

/** The path Alertmanager posts a receiver's notifications to (the API's delivery endpoint). */
export const deliveryPath = (receiver: string): string =>
  `/api/v1/notifications/${encodeURIComponent(receiver)}`;

const ms = (value: number): string => `${String(Math.round(value))}ms`;

/**
 * Within one SLO, only the most severe firing burn-rate alert notifies: each severity inhibits
 * the lower ones of the same SLO, service and escalation step. Matching on `slo` (which only
 * burn-rate alerts carry) rather than on the alert's name, which differs between them; the
 * `slo=~".+"` matchers keep alerts without one apart, since Alertmanager counts a label
 * missing on both sides as equal.
 */
function sloInhibitions(): object[] {
  return SEVERITIES.slice(1).map((severity, index) => ({
    source_matchers: [`slo=~".+"`, `severity="${severity}"`],
    target_matchers: [`slo=~".+"`, `severity=~"${SEVERITIES.slice(0, index + 1).join('|')}"`],
    equal: ['slo', 'service', 'escalation_step'],
  }));
}

/**
 * Alertmanager's whole configuration, from Lantern's notification policy. Alerts are grouped
 * by incident, so an incident makes one notification per step, and a later signal updates it
 * (after group_interval) instead of starting another. Lantern pushes each signal once per due
 * escalation step, labelled `escalation_step`; each step routes to a receiver of its own, whose
 * webhooks hand the notification back to Lantern, one per configured receiver: Lantern
 * delivers it (webhook, Slack, email), records the outcome on the incident's timeline, and
 * answers 5xx on failure, so Alertmanager retries.
 */
export function alertmanagerConfig(policy: NotificationPolicy, endpoint: DeliveryEndpoint): object {
  const base = endpoint.url.replace(/\/+$/, '');
  const httpConfig = {
    ...(endpoint.tokenFile && {
      authorization: { type: 'Bearer', credentials_file: endpoint.tokenFile },
    }),
    ...(endpoint.caFile && { tls_config: { ca_file: endpoint.caFile } }),
  };
  const steps = SEVERITIES.flatMap((severity) =>
    (policy.escalation[severity] ?? []).map((step, index) => ({
      label: stepLabel(severity, index),
      receivers: step.receivers,
    })),
  );
  return {
    route: {
      receiver: QUIET_RECEIVER,
      group_by: ['incident'],
      group_wait: ms(policy.groupWaitMs),
      group_interval: ms(policy.groupIntervalMs),
      repeat_interval: ms(policy.repeatIntervalMs),
      routes: steps.map((step) => ({
        matchers: [`escalation_step="${step.label}"`],
        receiver: `escalation-${step.label}`,
      })),
    },
    receivers: [
      { name: QUIET_RECEIVER },
      ...steps.map((step) => ({
        name: `escalation-${step.label}`,
        webhook_configs: step.receivers.map((receiver) => ({
          url: `${base}${deliveryPath(receiver)}`,
          send_resolved: true,
          ...(Object.keys(httpConfig).length > 0 && { http_config: httpConfig }),
        })),
      })),
    ],
    inhibit_rules: sloInhibitions(),
  };
}

/** The configuration as Alertmanager's YAML file, with a header saying where it comes from. */
export const alertmanagerConfigYaml = (
  policy: NotificationPolicy,
  endpoint: DeliveryEndpoint,
  source: string,
): string =>
  `# Rendered by Lantern from ${source}; edit that file, not this one.\n${stringify(alertmanagerConfig(policy, endpoint), { aliasDuplicateObjects: false })}`;
