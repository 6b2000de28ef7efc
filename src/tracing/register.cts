/**
 * `node --require lantern/register app.cjs`: instruments a CommonJS app with no code change.
 * CommonJS modules are patched through require hooks, so unlike the ESM entry (register.ts) no
 * loader hook is registered; the ESM SDK is loaded with require(esm) (Node >= 22.12).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- this entry is CommonJS by design
const { startTelemetry } = require('./telemetry.js') as typeof import('./telemetry.ts');

startTelemetry();
