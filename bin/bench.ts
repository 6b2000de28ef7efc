/**
 * `npm run bench` runs every benchmark; `npm run bench -- <name>` one of them. Each compares
 * against a control in the same run, prints a Markdown section and records it in BENCHMARKS.md.
 */
import { alertTick } from '../bench/alert-tick.ts';
import { consoleBench } from '../bench/console.ts';
import { cpuProfile } from '../bench/cpu-profile.ts';
import { fidelity } from '../bench/fidelity.ts';
import { idle } from '../bench/idle.ts';
import { ingest } from '../bench/ingest.ts';
import { overhead, overheadParts } from '../bench/overhead.ts';
import { queries } from '../bench/queries.ts';
import { cleanCommit, DirtyTreeError, recordSection, reportPath } from '../bench/report.ts';
import { sampler } from '../bench/sampler.ts';
import { scale } from '../bench/scale.ts';
import { storage } from '../bench/storage.ts';
import { why } from '../bench/why.ts';
import { repoRoot } from '../tools/stack/paths.ts';
import { loadStackSettings, type StackSettings } from '../tools/stack/settings.ts';

const benchmarks: Record<string, (settings: StackSettings) => string | Promise<string>> = {
  sampler,
  overhead,
  'overhead-parts': overheadParts,
  idle,
  profile: cpuProfile,
  queries,
  ingest,
  fidelity,
  console: consoleBench,
  alerts: alertTick,
  scale,
  storage,
  why,
};
const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in benchmarks));
if (unknown.length > 0) {
  console.error(
    `unknown benchmark ${unknown.join(', ')}; choose from: ${Object.keys(benchmarks).join(', ')}`,
  );
  process.exit(2);
}
/** A section names the one clean commit it ran at: refuse before the run, not hours into it. */
function commitOrExit(): string {
  try {
    return cleanCommit(repoRoot);
  } catch (error) {
    if (!(error instanceof DirtyTreeError)) throw error;
    console.error(error.message);
    process.exit(2);
  }
}
const commit = commitOrExit();
// The developer's stack, which every benchmark but scale's runs on.
const settings = loadStackSettings(process.env);
for (const [name, benchmark] of Object.entries(benchmarks)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  const section = await benchmark(settings);
  if (commitOrExit() !== commit) {
    console.error(`HEAD moved from ${commit} while ${name} ran: its figures name no one commit`);
    process.exit(2);
  }
  recordSection(name, section);
  console.log(`${section}\n`);
}
console.log(`recorded in ${reportPath}`);
