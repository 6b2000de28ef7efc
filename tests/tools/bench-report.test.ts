import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DirtyTreeError, recordSection } from '../../bench/report.ts';

let repo: string;
const git = (...args: string[]): string =>
  execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();

beforeEach(() => {
  repo = mkdtempSync(join(tmpdir(), 'lantern-bench-report-'));
  git('init', '--quiet');
  writeFileSync(join(repo, 'package.json'), '{"dependencies":{"@opentelemetry/sdk-node":"1.2.3"}}');
  writeFileSync(join(repo, 'app.ts'), 'export const answer = 42;\n');
  git('add', 'package.json', 'app.ts');
  git(
    '-c',
    'user.name=bench',
    '-c',
    'user.email=bench@example.invalid',
    '-c',
    'commit.gpgsign=false',
    'commit',
    '--quiet',
    '-m',
    'fixture',
  );
});

afterEach(() => {
  rmSync(repo, { recursive: true, force: true });
});

describe('recording a benchmark section', () => {
  it('refuses a work tree with uncommitted changes, naming every dirty file', () => {
    writeFileSync(join(repo, 'app.ts'), 'export const answer = 43;\n');
    writeFileSync(join(repo, 'scratch.ts'), '');
    const record = (): void => {
      recordSection('sampler', '### table', repo);
    };
    expect(record).toThrow(DirtyTreeError);
    expect(record).toThrow(/uncommitted changes: .*app\.ts.*scratch\.ts/);
    expect(existsSync(join(repo, 'BENCHMARKS.md'))).toBe(false);
  });

  it('stamps each section with its machine, versions and clean commit', () => {
    const head = git('rev-parse', '--short', 'HEAD');
    recordSection('sampler', '### Sampler\n\n| a |', repo);
    // The report it just wrote is uncommitted, and must not block the next section.
    recordSection('idle', '### Idle\n\n| b |', repo);
    const report = readFileSync(join(repo, 'BENCHMARKS.md'), 'utf8');
    const sections = [...report.matchAll(/<!-- bench:([\w-]+) -->\n([\s\S]*?)<!-- \/bench:/g)];
    expect(sections.map((s) => s[1])).toEqual(['sampler', 'idle']);
    for (const [, , text] of sections) {
      expect(text).toMatch(/^- Machine: .+, \d+ cores, \d+ GiB memory, /m);
      expect(text).toMatch(/^- Software: Node .*@opentelemetry\/sdk-node 1\.2\.3;/m);
      expect(text).toContain(`- Commit: ${head}, run `);
      expect(text).not.toContain('uncommitted');
    }
  });
});
