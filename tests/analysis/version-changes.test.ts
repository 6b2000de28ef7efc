import { describe, expect, it } from 'vitest';
import { versionChanges } from '../../src/analysis/version-changes.ts';

const MIN = 60_000;
/** Buckets a minute apart from 0, each given as the weights of [v1, v2, v3]. */
const minutes = (...weights: number[][]) => weights.map((w, i) => ({ start: i * MIN, weights: w }));
const versions = ['1.0', '1.1', '1.2'];

describe('versionChanges: deploys found in the data', () => {
  it('finds no deploy while one version serves, the first version being in place', () => {
    expect(versionChanges(versions, minutes([5, 0, 0], [7, 0, 0], [3, 0, 0]))).toEqual([]);
  });

  it('finds a switch from one version to the next, since the bucket the new one appeared in', () => {
    expect(versionChanges(versions, minutes([5, 0, 0], [4, 1, 0], [0, 9, 0], [0, 8, 0]))).toEqual([
      { version: '1.1', previousVersion: '1.0', since: MIN, takenOverAt: 2 * MIN },
    ]);
  });

  it('needs two thirds of the weight: a steady 50/50 split and a canary are no deploys', () => {
    expect(versionChanges(versions, minutes([5, 5, 0], [4, 6, 0], [6, 4, 0], [4, 6, 0]))).toEqual(
      [],
    );
    expect(versionChanges(versions, minutes([9, 0, 0], [8, 1, 0], [9, 0, 0]))).toEqual([]);
  });

  it('decides by weight: a version carrying little of it does not take over', () => {
    expect(versionChanges(versions, minutes([100, 0, 0], [100, 3, 0]))).toEqual([]);
    expect(versionChanges(versions, minutes([100, 0, 0], [10, 30, 0]))).toHaveLength(1);
  });

  it('lets idle buckets break no run, and an absence restart it', () => {
    // 1.1 appears at minute 1, the service is idle at 2, 1.1 takes over at 3: since minute 1.
    expect(versionChanges(versions, minutes([5, 0, 0], [5, 1, 0], [0, 0, 0], [0, 9, 0]))).toEqual([
      { version: '1.1', previousVersion: '1.0', since: MIN, takenOverAt: 3 * MIN },
    ]);
    // 1.1 appears at minute 1, is gone at 2, is back at 3 and takes over: since minute 3.
    expect(
      versionChanges(versions, minutes([5, 0, 0], [5, 1, 0], [5, 0, 0], [0, 9, 0]))[0]?.since,
    ).toBe(3 * MIN);
  });

  it('finds every deploy in turn, a rollback to an earlier version too', () => {
    const changes = versionChanges(
      versions,
      minutes([5, 0, 0], [0, 5, 0], [0, 0, 5], [0, 5, 0]),
    ).map((c) => `${c.previousVersion}→${c.version}@${String(c.takenOverAt / MIN)}`);
    expect(changes).toEqual(['1.0→1.1@1', '1.1→1.2@2', '1.2→1.1@3']);
  });

  it('finds nothing without versions or buckets', () => {
    expect(versionChanges([], minutes([], []))).toEqual([]);
    expect(versionChanges(versions, [])).toEqual([]);
  });
});
