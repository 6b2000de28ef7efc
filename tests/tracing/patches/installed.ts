import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, parse } from 'node:path';
import { expect } from 'vitest';
import {
  writtenAgainst,
  type Patch,
  type Upstream,
} from '../../../src/tracing/patches/upstream.ts';

const requireHere = createRequire(import.meta.url);

/** The version of `name` this checkout runs: the package Node resolves from here, or Node. */
export function installedVersion(name: string): string {
  if (name === 'node') return process.versions.node;
  for (let dir = dirname(requireHere.resolve(name)); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const { name: found, version } = JSON.parse(readFileSync(manifest, 'utf8')) as {
        name?: string;
        version: string;
      };
      if (found === name) return version;
    }
    if (dir === parse(dir).root) throw new Error(`no package.json of ${name} above its entry`);
  }
}

const parts = (version: string): number[] =>
  (version.split(/[-+]/, 1)[0] ?? '').split('.').map(Number);

function compare(a: string, b: string): number {
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) {
    const difference = (x[i] ?? 0) - (y[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** Whether `version` is at or above the range's start and below its end. */
export const withinRange = (version: string, range: Upstream): boolean =>
  compare(version, range.from) >= 0 && compare(version, range.below) < 0;

/** Fails, naming the package, unless every upstream of `patch` is installed within its range. */
export function expectInstalledWithinRange(patch: Patch): void {
  for (const range of writtenAgainst[patch]) {
    const version = installedVersion(range.package);
    expect(
      { package: range.package, version, within: withinRange(version, range) },
      `${patch} was written against ${range.package} >=${range.from} <${range.below}; ` +
        'check the internals it relies on against the installed version, then widen the range',
    ).toEqual({ package: range.package, version, within: true });
  }
}
