import { z } from 'zod';

const UNITS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `250ms`, `30s`, `5m`, `1h`, `1d` → milliseconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * UNITS[match[2] as keyof typeof UNITS];
}

/**
 * A duration written like `30s` (rules, service settings, API parameters), parsed to
 * milliseconds. The message does not echo the input: API callers' input is never reflected.
 */
export const durationMs = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: 'must be a duration like 30s, 5m or 1h' });
    return z.NEVER;
  }
  return ms;
});

/** A duration of at least a second: windows, intervals, the evaluation period. */
export const secondsOrMore = durationMs.refine((ms) => ms >= 1000, 'must be at least 1s');
