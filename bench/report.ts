import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { BUILDER_VERSION } from '../tools/stack/collector.ts';
import { ELASTICSEARCH_VERSION } from '../tools/stack/elasticsearch.ts';
import { JAEGER_MODULE_VERSION } from '../tools/stack/jaeger.ts';
import { repoRoot } from '../tools/stack/paths.ts';

/**
 * BENCHMARKS.md: a header describing the machine and versions, then one section per benchmark
 * between markers, so `npm run bench -- <name>` replaces only that benchmark's section.
 */
export const reportPath = join(repoRoot, 'BENCHMARKS.md');

const git = (...args: string[]): string =>
  execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();

function commit(): string {
  const sha = git('rev-parse', '--short', 'HEAD');
  // This report itself does not count: writing it must not mark the next section dirty.
  const dirty = git('status', '--porcelain', '--untracked-files=no', '--', '.', ':!BENCHMARKS.md');
  return dirty === '' ? sha : `${sha} (+ uncommitted changes)`;
}

function dependency(name: string): string {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  return manifest.dependencies[name] ?? '?';
}

function header(): string {
  const cpu = cpus();
  return [
    '# Lantern benchmarks',
    '',
    'Written by `npm run bench` (all) or `npm run bench -- <name>` (one section). Every benchmark',
    'runs against a control in the same run; figures are medians with min–max where repeated.',
    '',
    `- Machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB memory, ${process.platform} ${process.arch}`,
    `- Node ${process.versions.node}; Elasticsearch ${ELASTICSEARCH_VERSION}; Collector ${BUILDER_VERSION} (Lantern build); Jaeger v2.12 (module ${JAEGER_MODULE_VERSION}); @opentelemetry/sdk-node ${dependency('@opentelemetry/sdk-node')}; @elastic/elasticsearch ${dependency('@elastic/elasticsearch')}`,
    '',
  ].join('\n');
}

const marker = (name: string, end = false): string => `<!-- ${end ? '/' : ''}bench:${name} -->`;

/** Writes (or replaces) one benchmark's section and refreshes the header. */
export function recordSection(name: string, markdown: string): void {
  const old = existsSync(reportPath) ? readFileSync(reportPath, 'utf8') : '';
  const sections = new Map<string, string>();
  for (const match of old.matchAll(/<!-- bench:([\w-]+) -->\n([\s\S]*?)<!-- \/bench:\1 -->/g)) {
    sections.set(match[1] ?? '', match[2] ?? '');
  }
  const stamp = `_Run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC at commit ${commit()}._`;
  sections.set(name, `${markdown}\n\n${stamp}\n`);
  const body = [...sections].map(([n, text]) => `${marker(n)}\n${text}${marker(n, true)}`);
  writeFileSync(reportPath, `${header()}\n${body.join('\n\n')}\n`);
}
