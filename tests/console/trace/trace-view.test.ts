import { describe, expect, it } from 'vitest';
import { rowsOf, unfolded } from '../../../src/console/trace/rows.ts';
import { serviceSummary } from '../../../src/console/trace/service-summary.ts';
import { matchingSpans } from '../../../src/console/trace/span-filter.ts';
import { spanTree } from '../../../src/console/trace/span-tree.ts';
import { span } from './spans.ts';

const trace = [
  { ...span('root', null, 0, 100, 'front'), attributes: { 'http.route': '/checkout' } },
  { ...span('b', 'root', 10, 60, 'back'), status: 2 },
  { ...span('c', 'root', 40, 90, 'back'), attributes: { 'db.system': 'postgresql' } },
  span('d', 'c', 50, 70, 'db'),
  span('lost', 'gone', 20, 30, 'front'),
];
const names = (ids: Set<string>) => trace.filter((s) => ids.has(s.spanId)).map((s) => s.name);

describe('the trace view', () => {
  it('lists every span once in tree order, orphans under the root', () => {
    const { rows, totalUs } = rowsOf(spanTree(trace));
    expect(rows.map((r) => `${r.span.name}:${r.depth}`)).toEqual([
      'root:0',
      'b:1',
      'lost:1',
      'c:1',
      'd:2',
    ]);
    expect(totalUs).toBe(100_000);
  });

  it('folds a collapsed span’s subtree away and keeps the span', () => {
    const { rows } = rowsOf(spanTree(trace));
    const c = 'c'.padEnd(16, '0');
    expect(unfolded(rows, new Set([c])).map((r) => r.span.name)).toEqual([
      'root',
      'b',
      'lost',
      'c',
    ]);
    const root = 'root'.padEnd(16, '0');
    expect(unfolded(rows, new Set([root, c])).map((r) => r.span.name)).toEqual(['root']);
  });

  it('sums self time without counting overlapping children twice', () => {
    // root 100 ms, covered by b ∪ lost ∪ c = 10–90: 20 ms own. b 50, c 50 less d 20 = 30.
    expect(serviceSummary(spanTree(trace))).toEqual([
      { service: 'back', spans: 2, selfUs: 80_000, errors: 1 },
      { service: 'front', spans: 2, selfUs: 30_000, errors: 0 },
      { service: 'db', spans: 1, selfUs: 20_000, errors: 0 },
    ]);
  });

  it('finds spans by text, attribute value, key=value and service', () => {
    expect(names(matchingSpans(trace, { text: 'LOS', service: '' }))).toEqual(['lost']);
    expect(names(matchingSpans(trace, { text: 'postgres', service: '' }))).toEqual(['c']);
    expect(names(matchingSpans(trace, { text: 'http.route=/checkout', service: '' }))).toEqual([
      'root',
    ]);
    expect(names(matchingSpans(trace, { text: 'http.route=/check', service: '' }))).toEqual([]);
    expect(names(matchingSpans(trace, { text: '', service: 'back' }))).toEqual(['b', 'c']);
    expect(names(matchingSpans(trace, { text: 'postgres', service: 'back' }))).toEqual(['c']);
    expect(matchingSpans(trace, { text: ' ', service: '' }).size).toBe(0);
  });
});
