import type { StorageDeletion } from '../contracts/storage-deletion.ts';
import type { TimeRange } from '../contracts/time-range.ts';
import type { EvaluationReader } from '../storage/evaluation-reader.ts';
import { alertId } from './alert.ts';
import type { StorageRule } from './rules.ts';
import type { Observation } from './state-machine.ts';

/**
 * Deletions people must hear of: days the disk guard deleted (budget or disk), indices that
 * disappeared without Lantern, and deletions Elasticsearch refused. Retention's own deletions
 * are the expected course of things, and say nothing.
 */
const worthAnAlert = (deletion: StorageDeletion): boolean =>
  deletion.outcome === 'failed' || deletion.reason !== 'retention';

/**
 * One observation for Lantern itself: active while the window holds such deletions; its value is
 * how many, and its details say which indices and why (the newest's words).
 */
export async function storageDeletions(
  read: EvaluationReader,
  rule: StorageRule,
  range: TimeRange,
): Promise<Observation[]> {
  const seen = (await read.deletions(range)).filter(worthAnAlert);
  const labels = { alertname: rule.name, severity: rule.severity, ...rule.labels };
  const [newest] = seen;
  return [
    {
      id: alertId(rule.name, labels),
      labels,
      service: null,
      active: seen.length > 0,
      value: seen.length,
      exemplarTraceIds: [],
      details: newest && {
        indices: [
          ...new Set(
            seen.map((d) => `${d.index} (${d.outcome === 'failed' ? 'refused' : d.reason})`),
          ),
        ].join(', '),
        reason: newest.detail,
      },
    },
  ];
}
