import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  loadNotificationPolicy,
  NotificationPolicyError,
  parseNotificationPolicy,
} from '../../../src/alerts/notifications/policy.ts';
import { repoRoot } from '../../../tools/stack/paths.ts';

const receivers = [
  { name: 'hook', webhook: { url: 'http://127.0.0.1:9000/hook' } },
  { name: 'chat', slack: { url: 'https://hooks.example.com/services/T0/B0/x' } },
  {
    name: 'mail',
    email: {
      smtp: 'smtp://u:p@127.0.0.1:2525',
      from: 'lantern@example.com',
      to: ['a@example.com'],
    },
  },
];

/** The message of the error a document is refused with. */
function refusal(document: unknown, env: NodeJS.ProcessEnv = {}): string {
  try {
    parseNotificationPolicy(document, 'notifications.yaml', env);
  } catch (error) {
    expect(error).toBeInstanceOf(NotificationPolicyError);
    return (error as Error).message;
  }
  throw new Error('accepted');
}

describe('notification policy', () => {
  it('loads the shipped file: nobody is notified', () => {
    const policy = loadNotificationPolicy(join(repoRoot, 'config', 'notifications.yaml'));
    expect(policy.receivers.size).toBe(0);
    expect(policy.escalation).toEqual({});
    expect(policy).toMatchObject({ groupWaitMs: 10_000, repeatIntervalMs: 4 * 3_600_000 });
  });

  it('reads each kind of receiver and the steps of each severity', () => {
    const policy = parseNotificationPolicy(
      {
        repeat_interval: '1h',
        receivers,
        escalation: {
          critical: [
            { after: '0m', receivers: ['chat', 'mail'] },
            { after: '15m', receivers: ['hook'] },
          ],
        },
      },
      'n',
      {},
    );
    expect([...policy.receivers.values()]).toEqual([
      { name: 'hook', kind: 'webhook', url: 'http://127.0.0.1:9000/hook' },
      { name: 'chat', kind: 'slack', url: 'https://hooks.example.com/services/T0/B0/x' },
      {
        name: 'mail',
        kind: 'email',
        smtp: 'smtp://u:p@127.0.0.1:2525',
        from: 'lantern@example.com',
        to: ['a@example.com'],
      },
    ]);
    expect(policy.escalation).toEqual({
      critical: [
        { afterMs: 0, receivers: ['chat', 'mail'] },
        { afterMs: 900_000, receivers: ['hook'] },
      ],
    });
    expect(policy.repeatIntervalMs).toBe(3_600_000);
  });

  it('refuses an unknown receiver in a step, naming the field', () => {
    expect(
      refusal({ receivers, escalation: { high: [{ after: '0m', receivers: ['hook', 'pager'] }] } }),
    ).toContain('escalation.high.0.receivers.1: no receiver is named "pager"');
  });

  it('refuses a step without a delay, naming the field', () => {
    expect(refusal({ receivers, escalation: { high: [{ receivers: ['hook'] }] } })).toContain(
      'escalation.high.0.after: every step needs one: a duration like 0m or 15m',
    );
  });

  it('refuses an invalid SMTP URL, naming the field', () => {
    const mail = { smtp: 'mail.example.com:25', from: 'l@example.com', to: ['a@example.com'] };
    expect(refusal({ receivers: [{ name: 'mail', email: mail }] })).toContain(
      'receivers.0.email.smtp: must be an SMTP URL',
    );
  });

  it('refuses steps out of order, a name used twice and a receiver of two kinds', () => {
    const message = refusal({
      receivers: [
        ...receivers,
        { name: 'hook', webhook: { url: 'http://127.0.0.1:1/' }, slack: { url: 'http://x/' } },
      ],
      escalation: {
        medium: [
          { after: '10m', receivers: ['hook'] },
          { after: '5m', receivers: ['chat'] },
        ],
      },
    });
    expect(message).toContain('receivers.3: needs exactly one of webhook, slack, email');
    expect(message).toContain('escalation.medium.1.after: must be later than the step before it');
  });

  it('refuses a severity that does not exist and a field it does not know', () => {
    const message = refusal({ receivers: [], escalation: { urgent: [] }, group_by: ['x'] });
    expect(message).toMatch(/escalation: Unrecognized key: "urgent"/);
    expect(message).toMatch(/\(file\): Unrecognized key: "group_by"/);
  });

  it('takes secrets from the environment, and names a variable that is not set', () => {
    const document = {
      receivers: [{ name: 'chat', slack: { url: '${CHAT_URL}' } }],
      escalation: { critical: [{ after: '0s', receivers: ['chat'] }] },
    };
    const policy = parseNotificationPolicy(document, 'n', { CHAT_URL: 'https://chat.example/x' });
    expect(policy.receivers.get('chat')).toMatchObject({ url: 'https://chat.example/x' });
    expect(refusal(document)).toContain(
      'receivers.0.slack.url: the environment variable CHAT_URL is not set',
    );
  });
});
