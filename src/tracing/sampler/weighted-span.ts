import type { ReadableSpan } from '@opentelemetry/sdk-trace';

/** Attribute on every exported span: how many spans it stands for (1 / keep probability). */
export const WEIGHT_ATTRIBUTE = 'lantern.sampling.weight';

/**
 * The span as exported, carrying its sampling weight. Ended spans are immutable, so this is a
 * view that shares everything with the original span but its attributes.
 */
export function withWeight(span: ReadableSpan, weight: number): ReadableSpan {
  return Object.create(span, {
    attributes: { value: { ...span.attributes, [WEIGHT_ATTRIBUTE]: weight }, enumerable: true },
  }) as ReadableSpan;
}
