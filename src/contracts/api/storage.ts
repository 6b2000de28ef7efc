import * as z from 'zod/mini';
import { rate, time, wholeCount } from './values.ts';

/** The signals Lantern stores, each in its own indices. */
export const STORED_SIGNALS = ['logs', 'spans', 'alertHistory'] as const;

/**
 * One index of a signal: a daily index (`day` from its name, the ingest date) or an index that
 * holds every day (`day` null: alert history). `bytes` is what every copy takes on disk;
 * `bytesPerRecord` is the primary copy's size over its documents, null without documents.
 */
export const storedDay = z.strictObject({
  day: z.nullable(z.iso.date()),
  index: z.string(),
  documents: wholeCount,
  bytes: wholeCount,
  bytesPerRecord: z.nullable(z.number().check(z.minimum(0))),
});

/** One signal: its totals over its indices, and each index, newest day first. */
export const storedSignal = z.strictObject({
  signal: z.enum(STORED_SIGNALS),
  documents: wholeCount,
  bytes: wholeCount,
  bytesPerRecord: z.nullable(z.number().check(z.minimum(0))),
  days: z.array(storedDay),
});

/** One deletion of a daily index by storage maintenance, done or refused (docs/storage.md). */
export const storageDeletion = z.strictObject({
  at: time,
  index: z.string(),
  signal: z.enum(['logs', 'spans']),
  day: z.iso.date(),
  /** What it took on disk when it went (last measured, for `outside`). */
  bytes: wholeCount,
  /** Past its retention, for the budget, for the disk, or deleted outside Lantern. */
  reason: z.enum(['retention', 'budget', 'disk', 'outside']),
  /** `failed`: Elasticsearch refused; retried every round. */
  outcome: z.enum(['deleted', 'failed']),
  detail: z.string(),
});

/** The disk budget (LANTERN_STORAGE_BUDGET) and what is left of it. */
export const storageBudget = z.strictObject({
  /** As set: a size (`20gb`) or a share of Elasticsearch's disk (`50%`). */
  setting: z.string(),
  bytes: wholeCount,
  /** Every Lantern index on disk, every copy: what the budget counts. */
  used: wholeCount,
  /**
   * What may still be stored before the guard deletes: bytes − used, or less, the disk's room
   * below the guard's 80% when the disk (shared with everything else on it) is fuller; never
   * below 0. And that as a share of the budget.
   */
  left: wholeCount,
  leftShare: rate,
  /** Which of the two `left` is: the budget's room, or the disk's. */
  limitedBy: z.enum(['budget', 'disk']),
  /** The disks Elasticsearch keeps its data on, its data nodes together. */
  disk: z.strictObject({ totalBytes: wholeCount, usedBytes: wholeCount }),
});

/** Days kept per signal (LANTERN_RETENTION_LOGS, _SPANS, _ALERTS). */
export const retentionDays = z.strictObject({
  logs: z.int().check(z.positive()),
  spans: z.int().check(z.positive()),
  alertHistory: z.int().check(z.positive()),
});

/**
 * What Lantern keeps in Elasticsearch, per signal and day, measured now; the budget and what is
 * left of it, the retention in force, and the last deletions (newest first).
 */
export const storage = z.strictObject({
  signals: z.array(storedSignal),
  /** Every signal's indices together. */
  total: z.strictObject({ documents: wholeCount, bytes: wholeCount }),
  budget: storageBudget,
  retention: retentionDays,
  deletions: z.array(storageDeletion),
});

export type StoredDay = z.infer<typeof storedDay>;
export type StoredSignal = z.infer<typeof storedSignal>;
export type StorageUsage = z.infer<typeof storage>;
export type StoredSignalName = (typeof STORED_SIGNALS)[number];
export type StorageBudgetStatus = z.infer<typeof storageBudget>;
