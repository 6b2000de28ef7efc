import { z } from 'zod';
import { parseByteSize } from '../contracts/byte-size.ts';
import type { StorageBudget } from '../storage/maintenance/plan.ts';

/** LANTERN_STORAGE_BUDGET: bytes (`20gb`) or a share of Elasticsearch's disk (`50%`). */
export const storageBudget = z.string().transform((text, ctx): StorageBudget => {
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(text.trim());
  if (percent) {
    const share = Number(percent[1]) / 100;
    if (share > 0 && share <= 0.8) return { diskShare: share, text };
    ctx.addIssue({
      code: 'custom',
      message: 'a share of the disk must be above 0% and at most 80% (the disk guard acts at 80%)',
    });
    return z.NEVER;
  }
  const bytes = parseByteSize(text);
  if (bytes === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: 'must be a size like 20gb or 512mb (units b, kb, mb, gb, tb) or a share like 50%',
    });
    return z.NEVER;
  }
  if (bytes < 1024 ** 2) {
    ctx.addIssue({ code: 'custom', message: 'must be at least 1mb' });
    return z.NEVER;
  }
  return { bytes, text };
});

/**
 * A retention: a whole number of days (`7d`), at least one. Lantern's data is kept in daily
 * indices, so a day is the finest step retention can take.
 */
export const retentionDays = z.string().transform((text, ctx) => {
  const match = /^(-?\d+)d$/.exec(text.trim());
  if (!match) {
    ctx.addIssue({ code: 'custom', message: 'must be a whole number of days like 7d (unit d)' });
    return z.NEVER;
  }
  const days = Number(match[1]);
  if (days < 1) {
    ctx.addIssue({ code: 'custom', message: 'must be at least 1d (0 would delete today’s data)' });
    return z.NEVER;
  }
  return days;
});
