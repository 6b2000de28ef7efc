import * as z from 'zod/mini';

/**
 * Values the API's answers share. The contract uses zod's tree-shakable `zod/mini` because the
 * console bundles it and the full build is larger than the rest of the console. Every answer schema
 * is strict: a field the server sends that the contract does not name is drift, and the
 * integration tests and the console reject it.
 */

/** A point in time, RFC 3339 (Elasticsearch's nanosecond timestamps included). */
export const time = z.iso.datetime({ offset: true });
/** A trace id: 32 lowercase hexadecimal characters. */
export const traceId = z.string().check(z.regex(/^[0-9a-f]{32}$/));
/** A span id: 16 lowercase hexadecimal characters. */
export const spanId = z.string().check(z.regex(/^[0-9a-f]{16}$/));
/** A number of at least 0: a weighted count, a duration. */
export const atLeastZero = z.number().check(z.minimum(0));
/** A whole count of stored documents. */
export const wholeCount = z.int().check(z.minimum(0));
/** A share from 0 to 1, or null when there was nothing to divide. */
export const rate = z.nullable(z.number().check(z.minimum(0), z.maximum(1)));
/** Attributes as stored: keys flattened with dots, values as the source sent them. */
export const attributes = z.record(z.string(), z.unknown());
export const nullableString = z.nullable(z.string());
/** A bucket width in milliseconds. */
export const intervalMs = z.int().check(z.positive());

/** Weighted latency percentiles in milliseconds; null without requests. */
export const latencyMs = z.strictObject({
  p50: z.nullable(z.number()),
  p95: z.nullable(z.number()),
  p99: z.nullable(z.number()),
});
