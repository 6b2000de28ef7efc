import { createHash } from 'node:crypto';

/** Alerts are deduplicated by rule and labels: the same pair always has the same id. */
export function alertId(rule: string, labels: Readonly<Record<string, string>>): string {
  const canonical = JSON.stringify([
    rule,
    Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)),
  ]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 20);
}
