import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { BUILDER_VERSION } from '../tools/stack/collector.ts';
import { ELASTICSEARCH_VERSION } from '../tools/stack/elasticsearch.ts';
import { JAEGER_MODULE_VERSION, JAEGER_RELEASE } from '../tools/stack/jaeger.ts';
import { repoRoot } from '../tools/stack/paths.ts';

/**
 * BENCHMARKS.md: a short header, then one section per benchmark between markers, so
 * `npm run bench -- <name>` replaces only that benchmark's section. Each section carries the
 * machine, the versions and the one clean commit it ran at, because sections are written by
 * different runs on different days.
 */
const REPORT_FILE = 'BENCHMARKS.md';
export const reportPath = join(repoRoot, REPORT_FILE);

/** A section was about to be written from a work tree that no commit describes. */
export class DirtyTreeError extends Error {
  readonly files: readonly string[];

  constructor(files: readonly string[]) {
    super(
      `refusing to record a benchmark from a work tree with uncommitted changes: ${files.join(', ')}. ` +
        'Commit or remove them and run the benchmark again, so its figures name the commit they ran at.',
    );
    this.name = 'DirtyTreeError';
    this.files = files;
  }
}

const git = (repo: string, ...args: string[]): string =>
  execFileSync('git', args, { cwd: repo, encoding: 'utf8' });

/**
 * The short hash of HEAD, or a {@link DirtyTreeError} naming every changed or untracked file.
 * The report itself does not count: writing one section must not make the next one dirty.
 */
export function cleanCommit(repo: string): string {
  const status = git(repo, 'status', '--porcelain', '--', '.', `:(exclude)${REPORT_FILE}`);
  const dirty = status
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.slice(3));
  if (dirty.length > 0) throw new DirtyTreeError(dirty);
  return git(repo, 'rev-parse', '--short', 'HEAD').trim();
}

function dependency(repo: string, name: string): string {
  const manifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  return manifest.dependencies?.[name] ?? '?';
}

/** The lines under a section that say where and at what its figures were measured. */
function stamp(repo: string, commit: string): string {
  const cpu = cpus();
  const memory = `${(totalmem() / 2 ** 30).toFixed(0)} GiB memory`;
  const software = [
    `Node ${process.versions.node}`,
    `Elasticsearch ${ELASTICSEARCH_VERSION}`,
    `Collector ${BUILDER_VERSION} (Lantern build)`,
    `Jaeger ${JAEGER_RELEASE} (module ${JAEGER_MODULE_VERSION})`,
    `@opentelemetry/sdk-node ${dependency(repo, '@opentelemetry/sdk-node')}`,
    `@elastic/elasticsearch ${dependency(repo, '@elastic/elasticsearch')}`,
  ];
  return [
    `- Machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${memory}, ${process.platform} ${process.arch}`,
    `- Software: ${software.join('; ')}`,
    `- Commit: ${commit}, run ${new Date().toISOString().slice(0, 10)}`,
  ].join('\n');
}

const HEADER = [
  '# Lantern benchmarks',
  '',
  'Written by `npm run bench` (all) or `npm run bench -- <name>` (one section), and only from a',
  'clean work tree. Each section is the latest run of one benchmark and names the machine, the',
  'versions and the commit it ran at. How each benchmark measures, and its control:',
  '[docs/benchmarks.md](docs/benchmarks.md).',
  '',
].join('\n');

const marker = (name: string, end = false): string => `<!-- ${end ? '/' : ''}bench:${name} -->`;

/**
 * Writes (or replaces) one benchmark's section of `repo`'s BENCHMARKS.md. Throws a
 * {@link DirtyTreeError}, writing nothing, when the work tree has uncommitted changes.
 */
export function recordSection(name: string, markdown: string, repo: string = repoRoot): void {
  const commit = cleanCommit(repo);
  const path = join(repo, REPORT_FILE);
  const old = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const sections = new Map<string, string>();
  for (const match of old.matchAll(/<!-- bench:([\w-]+) -->\n([\s\S]*?)<!-- \/bench:\1 -->/g)) {
    sections.set(match[1] ?? '', match[2] ?? '');
  }
  sections.set(name, `${markdown}\n\n${stamp(repo, commit)}\n`);
  const body = [...sections].map(([n, text]) => `${marker(n)}\n${text}${marker(n, true)}`);
  writeFileSync(path, `${HEADER}\n${body.join('\n\n')}\n`);
}
