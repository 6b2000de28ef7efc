import * as z from 'zod/mini';
import { wholeCount } from './values.ts';

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

/** What Lantern keeps in Elasticsearch, per signal and day, measured now. */
export const storage = z.strictObject({
  signals: z.array(storedSignal),
  /** Every signal's indices together. */
  total: z.strictObject({ documents: wholeCount, bytes: wholeCount }),
});

export type StoredDay = z.infer<typeof storedDay>;
export type StoredSignal = z.infer<typeof storedSignal>;
export type StorageUsage = z.infer<typeof storage>;
export type StoredSignalName = (typeof STORED_SIGNALS)[number];
