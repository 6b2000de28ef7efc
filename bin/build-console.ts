/**
 * Bundles the console (src/console) into dist/console: one minified ES module, its stylesheet and
 * the page shell. Part of `npm run build`; no CDN, so it works offline.
 */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

const source = join(repoRoot, 'src', 'console');
const out = join(repoRoot, 'dist', 'console');
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(source, 'main.tsx')],
  outfile: join(out, 'app.js'),
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  tsconfig: join(source, 'tsconfig.json'),
  logLevel: 'warning',
});
copyFileSync(join(source, 'index.html'), join(out, 'index.html'));
copyFileSync(join(source, 'style.css'), join(out, 'style.css'));
copyFileSync(
  join(repoRoot, 'node_modules', 'uplot', 'dist', 'uPlot.min.css'),
  join(out, 'uPlot.min.css'),
);
const gzipped = ['app.js', 'style.css', 'uPlot.min.css', 'index.html']
  .map((file) => gzipSync(readFileSync(join(out, file))).length)
  .reduce((a, b) => a + b, 0);
process.stdout.write(`console bundled into ${out} (${(gzipped / 1024).toFixed(1)} KB gzipped)\n`);
