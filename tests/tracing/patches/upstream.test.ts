import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rangeOf, writtenAgainst } from '../../../src/tracing/patches/upstream.ts';
import { installedVersion, withinRange } from './installed.ts';

describe('the table of what the patches were written against', () => {
  it("is what each patch's header says", () => {
    for (const [patch, upstreams] of Object.entries(writtenAgainst)) {
      const source = readFileSync(
        new URL(`../../../src/tracing/patches/${patch}.ts`, import.meta.url),
        'utf8',
      );
      const header = (/^\/\*\*[\s\S]*?\*\//.exec(source)?.[0] ?? '').replace(/\s*\n\s*\*\s*/g, ' ');
      for (const upstream of upstreams)
        expect(header, patch).toContain(`${upstream.package} ${rangeOf(upstream)}`);
    }
  });

  it('compares versions as numbers, part by part, ignoring pre-release tags', () => {
    const range = { package: 'x', from: '4.2.0', below: '6.0.0' };
    expect(['4.2.0', '4.10.1', '5.99.99', '6.0.0-rc.1'].map((v) => withinRange(v, range))).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(['4.1.9', '6.0.0', '10.0.0'].map((v) => withinRange(v, range))).toEqual([
      false,
      false,
      false,
    ]);
  });

  it('reads the installed version of a package, and of Node', () => {
    expect(installedVersion('node')).toBe(process.versions.node);
    expect(installedVersion('@opentelemetry/context-async-hooks')).toMatch(/^\d+\.\d+\.\d+/);
  });
});
