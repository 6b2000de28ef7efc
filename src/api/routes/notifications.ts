import express, { Router } from 'express';
import { deliver, DeliveryError } from '../../alerts/notifications/deliver.ts';
import { incidentOf, stepOf } from '../../alerts/notifications/notification.ts';
import type { RecordOutcome } from '../../alerts/notifications/outcome.ts';
import type { NotificationPolicy } from '../../alerts/notifications/policy.ts';
import { ApiError } from '../errors.ts';
import { alertmanagerNotification, parseParams, receiverPath } from '../params.ts';
import { reply } from '../reply.ts';

/** What the delivery endpoint works with. */
export interface NotificationDelivery {
  readonly policy: NotificationPolicy;
  /** Where outcomes go: the incident timeline (failures once until they change). */
  readonly record: RecordOutcome;
  /** The console's base URL, for the link in each message. */
  readonly consoleUrl: string;
  readonly now: () => number;
  readonly log: (message: string) => void;
}

/**
 * Where Alertmanager hands each notification (its webhook, one per receiver of a step): Lantern
 * delivers it and records the outcome on the incident's timeline. A failed delivery answers 502,
 * so Alertmanager retries it; the outcome is recorded either way.
 */
export function notificationRoutes(delivery: NotificationDelivery | undefined): Router {
  const router = Router();
  router.post('/notifications/:receiver', express.json({ limit: '1mb' }), async (req, res) => {
    const { receiver: name } = parseParams(receiverPath, req.params);
    const receiver = delivery?.policy.receivers.get(name);
    if (!delivery || !receiver)
      throw new ApiError(404, 'not_found', `no receiver named "${name}" in the notifications file`);
    const notification = parseParams(alertmanagerNotification, req.body);
    let error: string | undefined;
    try {
      await deliver(receiver, notification, delivery.consoleUrl);
    } catch (thrown) {
      if (!(thrown instanceof DeliveryError)) throw thrown;
      error = thrown.message;
    }
    const outcome = {
      incidentId: incidentOf(notification),
      receiver: name,
      status: notification.status,
      step: stepOf(notification),
      error,
      at: delivery.now(),
    };
    // Recording must not undo a delivery: Alertmanager would send it again.
    await delivery.record(outcome).catch((e: unknown) => {
      delivery.log(`notification outcome not recorded: ${(e as Error).message}`);
    });
    if (error !== undefined)
      throw new ApiError(502, 'delivery_failed', `receiver "${name}": ${error}`);
    reply(res, 'POST /api/v1/notifications/{receiver}', { receiver: name, delivered: true });
  });
  return router;
}
