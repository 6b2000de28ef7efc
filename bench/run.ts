/**
 * `npm run bench` runs every benchmark; `npm run bench -- <name>` one of them. Each compares
 * against a control in the same run and prints a Markdown table.
 */
import { overhead } from './overhead.ts';
import { queries } from './queries.ts';
import { sampler } from './sampler.ts';

const benchmarks: Record<string, () => string | Promise<string>> = { sampler, overhead, queries };
const wanted = process.argv.slice(2);
for (const [name, benchmark] of Object.entries(benchmarks)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  console.log(`${await benchmark()}\n`);
}
