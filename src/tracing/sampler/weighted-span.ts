import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { WEIGHT_ATTRIBUTE } from '../../contracts/sampling-weight.ts';

/**
 * The span as exported, carrying its sampling weight. Ended spans are immutable, so this is a
 * view that shares everything with the original span but its attributes.
 */
export function withWeight(span: ReadableSpan, weight: number): ReadableSpan {
  return Object.create(span, {
    attributes: { value: { ...span.attributes, [WEIGHT_ATTRIBUTE]: weight }, enumerable: true },
  }) as ReadableSpan;
}
