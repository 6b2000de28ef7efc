import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { durationMs, secondsOrMore } from '../../contracts/duration.ts';
import { SEVERITIES, type Severity } from '../../contracts/severity.ts';

const name = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, 'letters, digits, "_" and "-" only');
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

/**
 * An SMTP server as nodemailer reads it: `smtp://user:password@host:587` (STARTTLS when the
 * server offers it), `smtps://…:465` (TLS from the start). Credentials ride in the URL.
 */
const smtpUrl = z.url({
  protocol: /^smtps?$/,
  hostname: z.regexes.hostname,
  error: 'must be an SMTP URL like smtp://user:password@mail.example.com:587 (or smtps://)',
});

const mailbox = z.email({ error: 'must be an email address' });

const receiver = z
  .object({
    name,
    /** Alertmanager's webhook body, posted as it is. */
    webhook: z.object({ url: httpUrl }).strict().optional(),
    /** Slack's incoming-webhook message `{ text }` (Mattermost and Rocket.Chat take it too). */
    slack: z.object({ url: httpUrl }).strict().optional(),
    email: z
      .object({
        smtp: smtpUrl,
        from: mailbox,
        to: z.array(mailbox).min(1),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine(
    (r) => [r.webhook, r.slack, r.email].filter((kind) => kind !== undefined).length === 1,
    'needs exactly one of webhook, slack, email',
  );

const step = z
  .object({
    /** How long after the incident opened, unacknowledged, this step notifies. */
    after: z.string({ error: 'every step needs one: a duration like 0m or 15m' }).pipe(durationMs),
    receivers: z.array(z.string().min(1)).min(1),
  })
  .strict();

/** A severity's steps, each later than the one before it. */
const steps = z
  .array(step)
  .min(1)
  .superRefine((list, ctx) => {
    list.forEach((s, index) => {
      const before = list[index - 1];
      if (before && s.after <= before.after)
        ctx.addIssue({
          code: 'custom',
          path: [index, 'after'],
          message: 'must be later than the step before it',
        });
    });
  });

const policyFile = z
  .object({
    /** Alertmanager's timing: the first notification waits this long for the group to gather. */
    group_wait: durationMs.default(10_000),
    /** How long an incident's notification waits before telling of signals added to it. */
    group_interval: secondsOrMore.default(5 * 60_000),
    /** How often an unacknowledged incident's notification is sent again. */
    repeat_interval: secondsOrMore.default(4 * 3_600_000),
    receivers: z.array(receiver).default([]),
    escalation: z
      .object(Object.fromEntries(SEVERITIES.map((s) => [s, steps.optional()])))
      .strict()
      .default({}),
  })
  .strict();

type ReceiverConfig = z.infer<typeof receiver>;

/** Where one receiver's notifications go: one channel each. */
export type Receiver =
  | { readonly name: string; readonly kind: 'webhook'; readonly url: string }
  | { readonly name: string; readonly kind: 'slack'; readonly url: string }
  | {
      readonly name: string;
      readonly kind: 'email';
      readonly smtp: string;
      readonly from: string;
      readonly to: readonly string[];
    };

/** One step of an escalation: these receivers, this long after the incident opened. */
export interface EscalationStep {
  readonly afterMs: number;
  readonly receivers: readonly string[];
}

/** Who is told, when, and how often: the `notifications` file, validated. */
export interface NotificationPolicy {
  readonly groupWaitMs: number;
  readonly groupIntervalMs: number;
  readonly repeatIntervalMs: number;
  readonly receivers: ReadonlyMap<string, Receiver>;
  /** Steps in the order they notify; a severity without steps notifies no one. */
  readonly escalation: Readonly<Partial<Record<Severity, readonly EscalationStep[]>>>;
}

/** A notifications file that failed validation; the message names every field at fault. */
export class NotificationPolicyError extends Error {
  override readonly name = 'NotificationPolicyError';
}

const asReceiver = (r: ReceiverConfig): Receiver =>
  r.webhook
    ? { name: r.name, kind: 'webhook', url: r.webhook.url }
    : r.slack
      ? { name: r.name, kind: 'slack', url: r.slack.url }
      : { name: r.name, kind: 'email', ...(r.email as NonNullable<ReceiverConfig['email']>) };

/** Problems that need the whole file: names used twice, steps naming no receiver. */
function crossChecks(file: z.infer<typeof policyFile>): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  file.receivers.forEach((r, index) => {
    if (names.has(r.name)) problems.push(`receivers.${index}.name: "${r.name}" is used twice`);
    names.add(r.name);
  });
  for (const severity of SEVERITIES) {
    const steps = file.escalation[severity] ?? [];
    steps.forEach((s, index) => {
      const field = `escalation.${severity}.${index}`;
      s.receivers.forEach((r, at) => {
        if (!names.has(r)) problems.push(`${field}.receivers.${at}: no receiver is named "${r}"`);
      });
    });
  }
  return problems;
}

/**
 * Where `${NAME}` in a string value comes from: the environment, so secrets (an SMTP password,
 * a Slack URL) need not be written in the file.
 */
export type SecretSource = NodeJS.ProcessEnv;

/** The document with every `${NAME}` replaced; a variable that is not set is a problem. */
function expand(value: unknown, env: SecretSource, path: string, problems: string[]): unknown {
  if (typeof value === 'string')
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_whole, variable: string) => {
      const found = env[variable];
      if (found === undefined || found === '')
        problems.push(`${path || '(file)'}: the environment variable ${variable} is not set`);
      return found ?? '';
    });
  if (Array.isArray(value))
    return value.map((item, index) => expand(item, env, `${path}.${String(index)}`, problems));
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        expand(item, env, path ? `${path}.${key}` : key, problems),
      ]),
    );
  return value;
}

/** Validates parsed YAML; every problem is reported at once, each naming its field. */
export function parseNotificationPolicy(
  document: unknown,
  source = 'notifications',
  env: SecretSource = process.env,
): NotificationPolicy {
  const problems: string[] = [];
  const result = policyFile.safeParse(expand(document ?? {}, env, '', problems));
  problems.push(
    ...(result.success
      ? crossChecks(result.data)
      : result.error.issues.map(
          (issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`,
        )),
  );
  if (!result.success || problems.length > 0)
    throw new NotificationPolicyError(`${source} is invalid:\n  ${problems.join('\n  ')}`);
  const file = result.data;
  return Object.freeze({
    groupWaitMs: file.group_wait,
    groupIntervalMs: file.group_interval,
    repeatIntervalMs: file.repeat_interval,
    receivers: new Map(file.receivers.map((r) => [r.name, asReceiver(r)])),
    escalation: Object.fromEntries(
      SEVERITIES.flatMap((severity) => {
        const steps = file.escalation[severity];
        return steps
          ? [[severity, steps.map((s) => ({ afterMs: s.after, receivers: s.receivers }))]]
          : [];
      }),
    ),
  });
}

/** The policy of an empty notifications file: alerts are grouped by incident, nobody is told. */
export const NOBODY_NOTIFIED: NotificationPolicy = parseNotificationPolicy({}, 'no file', {});

/** Reads and validates a notifications file (YAML). */
export function loadNotificationPolicy(
  path: string,
  env: SecretSource = process.env,
): NotificationPolicy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new NotificationPolicyError(
      `cannot read notifications file ${path}: ${(error as Error).message}`,
    );
  }
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new NotificationPolicyError(`${path} is not valid YAML: ${(error as Error).message}`);
  }
  return parseNotificationPolicy(document, path, env);
}
