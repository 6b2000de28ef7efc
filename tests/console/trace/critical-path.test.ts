import { describe, expect, it } from 'vitest';
import type { Span } from '../../../src/contracts/api/telemetry.ts';
import { T0, span } from './spans.ts';
import { criticalPath, criticalTimeByService } from '../../../src/console/trace/critical-path.ts';
import { spanTree } from '../../../src/console/trace/span-tree.ts';

/** The path as `name start-end` in ms after T0, earliest first. */
const pathOf = (spans: Span[]): string[] =>
  criticalPath(spanTree(spans))
    .reverse()
    .map((s) => `${s.span.name} ${s.startUs / 1000 - T0}-${s.endUs / 1000 - T0}`);

describe('criticalPath', () => {
  it('follows nested children, the gaps being the parents’ own time', () => {
    expect(
      pathOf([span('root', null, 0, 100), span('b', 'root', 10, 90), span('c', 'b', 20, 50)]),
    ).toEqual(['root 0-10', 'b 10-20', 'c 20-50', 'b 50-90', 'root 90-100']);
  });

  it('takes, of concurrent children, the one that finished last, then what ended before it', () => {
    // b and c run together; c ends later, so it is on the path; b ended after c began: off it.
    // d ended before c began: on it.
    expect(
      pathOf([
        span('root', null, 0, 100),
        span('d', 'root', 5, 15),
        span('b', 'root', 20, 60),
        span('c', 'root', 30, 80),
      ]),
    ).toEqual(['root 0-5', 'd 5-15', 'root 15-30', 'c 30-80', 'root 80-100']);
  });

  it('counts a fire-and-forget child only up to its parent’s end, and drops one after it', () => {
    expect(
      pathOf([
        span('root', null, 0, 100),
        span('async', 'root', 60, 400),
        span('later', 'root', 150, 200),
      ]),
    ).toEqual(['root 0-60', 'async 60-100']);
  });

  it('hangs orphans under the root, where they can be on the path', () => {
    expect(pathOf([span('root', null, 0, 100), span('lost', 'gone', 40, 70, 'b')])).toEqual([
      'root 0-40',
      'lost 40-70',
      'root 70-100',
    ]);
  });

  it('ends on a parent cycle, cutting its earliest span under the root', () => {
    const spans = [span('root', null, 0, 100), span('x', 'y', 10, 50), span('y', 'x', 20, 40)];
    const tree = spanTree(spans);
    expect(tree.parent.get('x'.padEnd(16, '0'))?.name).toBe('root');
    expect(tree.orphans.has('x'.padEnd(16, '0'))).toBe(true);
    expect(pathOf(spans)).toEqual(['root 0-10', 'x 10-20', 'y 20-40', 'x 40-50', 'root 50-100']);
  });

  it('takes the earliest span as root when every span has a parent', () => {
    const spans = [span('p', 'q', 0, 30), span('q', 'p', 5, 10)];
    expect(pathOf(spans)).toEqual(['p 0-5', 'q 5-10', 'p 10-30']);
  });

  it('sums per service to the root’s duration', () => {
    const spans = [
      span('root', null, 0, 100, 'front'),
      span('b', 'root', 10, 90, 'back'),
      span('c', 'b', 20, 50, 'db'),
    ];
    expect(criticalTimeByService(criticalPath(spanTree(spans)))).toEqual([
      { service: 'back', us: 50_000 },
      { service: 'db', us: 30_000 },
      { service: 'front', us: 20_000 },
    ]);
  });
});
