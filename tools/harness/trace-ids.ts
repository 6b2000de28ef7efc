import { randomBytes } from 'node:crypto';

/** A random W3C trace id: 32 lowercase hex digits, as every store and API expects it. */
export const newTraceId = (): string => randomBytes(16).toString('hex');

/** A random W3C span id: 16 lowercase hex digits. */
export const newSpanId = (): string => randomBytes(8).toString('hex');
