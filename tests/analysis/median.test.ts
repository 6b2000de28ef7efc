import { describe, expect, it } from 'vitest';
import { median } from '../../src/analysis/median.ts';

describe('median', () => {
  it('is the middle value of an odd count, by value not by position', () => {
    expect(median([9, 1, 5])).toBe(5);
  });

  it('is the mean of the two middle values of an even count', () => {
    expect(median([10, 1, 4, 2])).toBe(3);
  });

  it('sorts numbers as numbers', () => {
    expect(median([100, 9, 20])).toBe(20);
  });

  it('is 0 for no values', () => {
    expect(median([])).toBe(0);
  });
});
