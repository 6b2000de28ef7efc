import { describe, expect, it } from 'vitest';
import { meanOfCopies, type Slices } from '../../bench/interleaved.ts';

const slices = (cpu: number[], maxRps: number[]): Slices => ({
  cpuUsPerRequest: cpu,
  p50: cpu.map((us) => us / 200),
  p99: cpu.map((us) => us / 40),
  maxRps,
  busy: maxRps.map((rps) => rps / 400),
});

describe("a variant's figures from several copies of its app", () => {
  it('averages the copies cycle by cycle, keeping one figure per cycle', () => {
    const merged = meanOfCopies([
      slices([2000, 2600], [400, 300]),
      slices([2400, 2000], [350, 380]),
    ]);
    expect(merged.cpuUsPerRequest).toEqual([2200, 2300]);
    expect(merged.maxRps).toEqual([375, 340]);
    expect(merged.p50).toEqual([11, 11.5]);
    expect(merged.p99).toEqual([55, 57.5]);
    expect(merged.busy).toEqual([0.9375, 0.85]);
  });

  it('keeps only the cycles every copy has', () => {
    const merged = meanOfCopies([
      slices([2000, 2600, 2800], [400, 300, 310]),
      slices([2400], [350]),
    ]);
    expect(merged.cpuUsPerRequest).toEqual([2200]);
    expect(merged.maxRps).toEqual([375]);
  });
});
