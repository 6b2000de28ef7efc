import { describe, expect, it } from 'vitest';
import {
  groupByPattern,
  markFirstSeen,
  messagePattern,
} from '../../src/analysis/message-pattern.ts';

describe('error message patterns', () => {
  it('strips numbers, ids, hex and uuids', () => {
    expect(messagePattern('checkout failed for sku sku-17: payment declined')).toBe(
      'checkout failed for sku <id>: payment declined',
    );
    expect(messagePattern('order 42 not found (trace 4bf92f3577b34da6a3ce929d0e0e4736)')).toBe(
      'order <id> not found (trace <hex>)',
    );
    expect(messagePattern('user 3f2a9c1e-7b7d-4c1e-9a51-0c9f3e1d2b4a locked')).toBe(
      'user <uuid> locked',
    );
    expect(messagePattern('bad value "x=1"')).toBe('bad value <str>');
  });

  it('groups messages by pattern with counts, the first time and example traces', () => {
    const groups = groupByPattern(
      [
        {
          message: 'inventory lookup failed for sku 1',
          count: 3,
          firstSeen: 20,
          exampleTraceId: 'a',
        },
        {
          message: 'inventory lookup failed for sku 22',
          count: 4,
          firstSeen: 10,
          exampleTraceId: 'b',
        },
        { message: 'disk full', count: 5, firstSeen: 30, exampleTraceId: null },
      ],
      10,
    );
    expect(groups).toEqual([
      {
        pattern: 'inventory lookup failed for sku <id>',
        count: 7,
        firstSeen: 10,
        exampleMessage: 'inventory lookup failed for sku 1',
        exampleTraceId: 'a',
        exampleTraceIds: ['a', 'b'],
      },
      {
        pattern: 'disk full',
        count: 5,
        firstSeen: 30,
        exampleMessage: 'disk full',
        exampleTraceId: null,
        exampleTraceIds: [],
      },
    ]);
  });
});

describe('first seen', () => {
  it('marks the patterns no earlier message shares', () => {
    const message = (text: string) => ({
      message: text,
      count: 1,
      firstSeen: 0,
      exampleTraceId: null,
    });
    const now = groupByPattern([message('disk full on volume 3'), message('order 9 lost')], 10);
    const marked = markFirstSeen(now, [message('order 12 lost'), message('cache cold')]);
    expect(marked.map((p) => [p.pattern, p.firstSeenInRange])).toEqual([
      ['disk full on volume <id>', true],
      ['order <id> lost', false],
    ]);
  });
});
