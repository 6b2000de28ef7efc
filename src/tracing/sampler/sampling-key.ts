import type { Attributes } from '@opentelemetry/api';
import { BoundedMap } from './bounded-map.ts';

/** Numbers, hex ids, UUIDs and anything longer than two characters that holds a digit. */
const ID_SEGMENT = /^(\d+|[0-9a-f]{8,}|(?=.*\d).{3,})$/i;

/** Recent paths, normalized: most requests repeat a path seen a moment ago. */
const normalized = new BoundedMap<string, string>(1024);

/** `/orders/42/items/sku-17` → `/orders/:id/items/:id` (`/api/v1` stays), at most four segments deep. */
export function normalizePath(path: string): string {
  const known = normalized.get(path);
  if (known !== undefined) return known;
  const result = normalizeNow(path);
  normalized.setIfAbsent(path, result);
  return result;
}

function normalizeNow(path: string): string {
  const [pathOnly = '/'] = path.split('?');
  const segments = pathOnly
    .split('/')
    .filter(Boolean)
    .slice(0, 4)
    .map((segment) => (ID_SEGMENT.test(segment) ? ':id' : segment));
  return `/${segments.join('/')}`;
}

/**
 * What the adaptive sampler shares its budget between: method and normalized path for HTTP
 * server spans, the span name otherwise. Computed when the entry span starts, from what is
 * known then, so the probability can travel downstream with the request.
 */
export function samplingKey(spanName: string, attributes: Attributes): string {
  const method = attributes['http.request.method'] ?? attributes['http.method'];
  const path = attributes['url.path'] ?? attributes['http.target'];
  if (typeof method === 'string' && typeof path === 'string') {
    return `${method} ${normalizePath(path)}`;
  }
  return spanName;
}
