import type { MessageCount } from '../contracts/log-stats.ts';
import type { ErrorPattern, TopError } from '../contracts/api/figures.ts';

/**
 * The pattern of a log message: what stays when ids, numbers, hex, UUIDs and quoted values are
 * replaced, so `order 42 failed for sku-17` and `order 43 failed for sku-9` group together.
 */
export function messagePattern(message: string): string {
  return message
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>')
    .replace(/"[^"]*"|'[^']*'/g, '<str>')
    .replace(/\b0x[0-9a-f]+\b|\b(?=[0-9a-f]*\d)[0-9a-f]{8,}\b/gi, '<hex>')
    .replace(/\b[\w-]*\d[\w-]*\b/g, '<id>')
    .replace(/\s+/g, ' ')
    .trim();
}

export type MessagePatternCount = ErrorPattern;

/** Groups exact messages by pattern, most frequent first. */
export function groupByPattern(
  messages: readonly MessageCount[],
  limit: number,
): MessagePatternCount[] {
  const groups = new Map<string, MessagePatternCount>();
  for (const { message, count, firstSeen, exampleTraceId } of messages) {
    const pattern = messagePattern(message);
    const group = groups.get(pattern);
    const traces = group?.exampleTraceIds ?? [];
    groups.set(pattern, {
      pattern,
      count: (group?.count ?? 0) + count,
      firstSeen: Math.min(group?.firstSeen ?? firstSeen, firstSeen),
      exampleMessage: group?.exampleMessage ?? message,
      exampleTraceId: group?.exampleTraceId ?? exampleTraceId,
      exampleTraceIds:
        exampleTraceId !== null && traces.length < 3 && !traces.includes(exampleTraceId)
          ? [...traces, exampleTraceId]
          : traces,
    });
  }
  return [...groups.values()].sort((a, b) => b.count - a.count).slice(0, limit);
}

/** Each pattern, marked when none of the messages logged `before` it share its pattern. */
export function markFirstSeen(
  patterns: readonly MessagePatternCount[],
  before: readonly MessageCount[],
): TopError[] {
  const known = new Set(before.map((m) => messagePattern(m.message)));
  return patterns.map((p) => ({ ...p, firstSeenInRange: !known.has(p.pattern) }));
}
