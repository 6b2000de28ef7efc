import { describe, expect, it } from 'vitest';
import { alertmanagerConfig } from '../../../src/alerts/notifications/alertmanager-config.ts';
import { parseNotificationPolicy } from '../../../src/alerts/notifications/policy.ts';

const policy = parseNotificationPolicy(
  {
    group_wait: '5s',
    repeat_interval: '2h',
    receivers: [
      { name: 'chat', slack: { url: 'https://chat.example/services/secret-path' } },
      {
        name: 'mail',
        email: {
          smtp: 'smtp://u:hunter2@mail.example:587',
          from: 'l@example.com',
          to: ['a@example.com'],
        },
      },
    ],
    escalation: {
      critical: [
        { after: '0m', receivers: ['chat'] },
        { after: '10m', receivers: ['chat', 'mail'] },
      ],
    },
  },
  'n',
  {},
);

interface Rendered {
  route: {
    receiver: string;
    group_by: string[];
    group_wait: string;
    repeat_interval: string;
    routes: { matchers: string[]; receiver: string }[];
  };
  receivers: { name: string; webhook_configs?: Record<string, unknown>[] }[];
  inhibit_rules: { source_matchers: string[]; target_matchers: string[]; equal: string[] }[];
}

const render = (tokenFile?: string): Rendered =>
  alertmanagerConfig(policy, { url: 'http://analysis:8080/', tokenFile }) as Rendered;

describe("Alertmanager's configuration, rendered from the policy", () => {
  it('groups by incident and routes each step to its receivers through Lantern', () => {
    const config = render();
    expect(config.route).toMatchObject({
      receiver: 'lantern-quiet',
      group_by: ['incident'],
      group_wait: '5000ms',
      repeat_interval: '7200000ms',
    });
    expect(config.route.routes).toEqual([
      { matchers: ['escalation_step="critical.1"'], receiver: 'escalation-critical.1' },
      { matchers: ['escalation_step="critical.2"'], receiver: 'escalation-critical.2' },
    ]);
    expect(config.receivers).toEqual([
      { name: 'lantern-quiet' },
      {
        name: 'escalation-critical.1',
        webhook_configs: [
          { url: 'http://analysis:8080/api/v1/notifications/chat', send_resolved: true },
        ],
      },
      {
        name: 'escalation-critical.2',
        webhook_configs: [
          { url: 'http://analysis:8080/api/v1/notifications/chat', send_resolved: true },
          { url: 'http://analysis:8080/api/v1/notifications/mail', send_resolved: true },
        ],
      },
    ]);
  });

  it("writes no receiver's secret, and the API token only by file", () => {
    const text = JSON.stringify(render('/run/secrets/api.token'));
    expect(text).not.toContain('secret-path');
    expect(text).not.toContain('hunter2');
    expect(render('/run/secrets/api.token').receivers[1]?.webhook_configs?.[0]).toMatchObject({
      http_config: {
        authorization: { type: 'Bearer', credentials_file: '/run/secrets/api.token' },
      },
    });
  });

  it('inhibits, within one SLO, every burn alert below the most severe firing one', () => {
    const rules = render().inhibit_rules;
    expect(rules).toContainEqual({
      source_matchers: ['slo=~".+"', 'severity="critical"'],
      target_matchers: ['slo=~".+"', 'severity=~"low|medium|high"'],
      equal: ['slo', 'service', 'escalation_step'],
    });
    expect(rules).toContainEqual({
      source_matchers: ['slo=~".+"', 'severity="medium"'],
      target_matchers: ['slo=~".+"', 'severity=~"low"'],
      equal: ['slo', 'service', 'escalation_step'],
    });
    // Never on the alert's name, which differs between one SLO's burn alerts.
    expect(rules.flatMap((rule) => rule.equal)).not.toContain('alertname');
  });
});
