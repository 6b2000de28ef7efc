import * as z from 'zod/mini';
import { time } from './values.ts';

export const componentHealth = z.strictObject({
  name: z.enum(['elasticsearch', 'collector', 'jaeger', 'alertmanager']),
  state: z.enum(['up', 'degraded', 'down', 'unknown']),
  detail: z.string(),
});
export const health = z.strictObject({ components: z.array(componentHealth) });

/** Links the console offers; null where there is none. */
export const links = z.strictObject({ jaegerUi: z.nullable(z.string()) });

/** A silence in Alertmanager, as this API shows it. */
export const silence = z.strictObject({
  id: z.string(),
  matchers: z.array(z.strictObject({ name: z.string(), value: z.string(), isRegex: z.boolean() })),
  startsAt: time,
  endsAt: time,
  createdBy: z.string(),
  comment: z.string(),
  state: z.enum(['active', 'pending']),
});
export const silenceList = z.strictObject({ silences: z.array(silence) });
export const silenceCreated = z.strictObject({
  silenceId: z.string(),
  /** The alert's exact labels, which the silence matches. */
  matchers: z.record(z.string(), z.string()),
  endsAt: time,
});

/** A notification Alertmanager handed over, delivered to its receiver. */
export const notificationDelivered = z.strictObject({
  receiver: z.string(),
  delivered: z.literal(true),
});

export const alive = z.strictObject({ status: z.literal('ok') });
export const ready = z.strictObject({ status: z.literal('ready') });

/** Every error: `{ "error": { "code", "message" } }` with the status that fits. */
export const apiError = z.strictObject({
  error: z.strictObject({ code: z.string(), message: z.string() }),
});

export type ComponentHealth = z.infer<typeof componentHealth>;
