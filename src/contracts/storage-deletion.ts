import type * as z from 'zod/mini';
import type { storageDeletion } from './api/storage.ts';
import type { Immutable } from './api/immutable.ts';

/** One deletion of a daily index, done or refused: what storage maintenance records. */
export type StorageDeletion = Immutable<z.output<typeof storageDeletion>>;

/**
 * Why an index went: its retention ran out, the disk budget or the disk itself needed the room,
 * or someone (or something) outside Lantern deleted it.
 */
export type DeletionReason = StorageDeletion['reason'];
