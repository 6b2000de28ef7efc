import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  alertmanagerConfigYaml,
  type DeliveryEndpoint,
} from '../alerts/notifications/alertmanager-config.ts';
import { loadNotificationPolicy } from '../alerts/notifications/policy.ts';

/**
 * Renders Alertmanager's configuration from a notifications file and writes it where
 * Alertmanager reads it (the local stack, compose's one-shot step, a test). Throws, naming
 * every field at fault, when the notifications file is invalid, so a bad policy stops the
 * stack before Alertmanager starts. The file holds no secret: receivers' URLs stay with
 * Lantern, and the API token is referenced by file.
 */
export function writeAlertmanagerConfig(
  notificationsFile: string,
  endpoint: DeliveryEndpoint,
  out: string,
): void {
  const policy = loadNotificationPolicy(notificationsFile);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, alertmanagerConfigYaml(policy, endpoint, notificationsFile));
}
