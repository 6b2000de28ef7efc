import type { DailySignal } from './indices.ts';

/**
 * Why an index went: its retention ran out, the disk budget or the disk itself needed the room,
 * or someone (or something) outside Lantern deleted it.
 */
export type DeletionReason = 'retention' | 'budget' | 'disk' | 'outside';

/** One deletion of a daily index, done or refused: what storage maintenance records. */
export interface StorageDeletion {
  /** RFC 3339. */
  readonly at: string;
  readonly index: string;
  readonly signal: DailySignal;
  /** `YYYY-MM-DD`. */
  readonly day: string;
  /** What it took on disk when it was deleted (last measured, for `outside`). */
  readonly bytes: number;
  readonly reason: DeletionReason;
  /** `failed`: Elasticsearch refused; retried on the next round. */
  readonly outcome: 'deleted' | 'failed';
  /** What people read: why, in words, with the figures. */
  readonly detail: string;
}
