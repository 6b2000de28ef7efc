import { describe, expect, it } from 'vitest';
import { allocate } from '../../../src/tracing/sampler/allocate.ts';

const keptRate = (rates: Map<string, number>, p: Map<string, number>) =>
  [...rates].reduce((sum, [key, rate]) => sum + rate * (p.get(key) ?? 0), 0);

describe('allocate (water-filling of the kept-trace budget)', () => {
  it('keeps everything when traffic is under budget', () => {
    const rates = new Map([
      ['GET /a', 3],
      ['GET /b', 4],
    ]);
    expect([...allocate(rates, 10).values()]).toEqual([1, 1]);
  });

  it('spends exactly the budget when traffic exceeds it', () => {
    const rates = new Map([
      ['GET /a', 900],
      ['GET /b', 90],
      ['GET /c', 9],
      ['GET /d', 1],
    ]);
    expect(keptRate(rates, allocate(rates, 20))).toBeCloseTo(20, 9);
  });

  it('keeps rare keys whole instead of starving them', () => {
    const rates = new Map([
      ['GET /hot', 1000],
      ['POST /rare', 0.5],
    ]);
    const p = allocate(rates, 10);
    expect(p.get('POST /rare')).toBe(1);
    expect(p.get('GET /hot')).toBeCloseTo(9.5 / 1000, 9);
  });

  it('gives busy keys equal kept rates', () => {
    const rates = new Map([
      ['a', 100],
      ['b', 400],
    ]);
    const p = allocate(rates, 10);
    expect(100 * (p.get('a') ?? 0)).toBeCloseTo(5, 9);
    expect(400 * (p.get('b') ?? 0)).toBeCloseTo(5, 9);
  });
});
