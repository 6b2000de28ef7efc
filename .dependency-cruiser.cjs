/**
 * Lantern's layers, enforced by `npm run layers` (part of `npm test`). The order is written once,
 * here: a product layer imports only the layers before it. `contracts` (index and field names,
 * the weight attribute, what a failed request is, durations) comes first, so every side shares
 * one definition. The bootstrap (`tracing`) runs inside the user's app: it imports contracts
 * only, and nothing else in the product imports it. The console (`src/console`) runs in the
 * browser: it too imports contracts only, and the service serves its bundle, not its modules. Dev tooling sits beside the product:
 * src/ never imports tools/, tests/, bench/, bin/ or demo/.
 */
const LAYERS = ['contracts', 'tracing', 'storage', 'analysis', 'alerts', 'api', 'service'];

const layerOrder = LAYERS.map((layer, index) => ({
  name: `layer-order-${layer}`,
  comment: `src/${layer} may import only layers before it: ${LAYERS.slice(0, index).join(', ') || 'none'}`,
  severity: 'error',
  from: { path: `^src/${layer}/` },
  to: { path: `^src/(${LAYERS.slice(index + 1).join('|') || '$^'})/` },
}));

module.exports = {
  forbidden: [
    ...layerOrder,
    {
      name: 'bootstrap-apart',
      comment: 'the bootstrap runs in the host app; the service side must not load it',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(tracing/|index\\.ts$)' },
      to: { path: '^src/tracing/' },
    },
    {
      name: 'console-in-the-browser',
      comment:
        'the console runs in the browser and talks to the API over HTTP: it imports contracts only',
      severity: 'error',
      from: { path: '^src/console/' },
      to: { path: '^src/(?!console/|contracts/)' },
    },
    {
      name: 'console-apart',
      comment:
        'the service serves the built console from dist/console; no server module imports it',
      severity: 'error',
      from: { path: '^src/(?!console/)' },
      to: { path: '^src/console/' },
    },
    {
      name: 'product-without-tooling',
      comment: 'the product (src/) never imports dev tooling, tests, benchmarks or entry points',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(tools|tests|bench|bin|demo)/' },
    },
    {
      name: 'elasticsearch-in-storage',
      comment:
        'only storage (and the composition root, which builds the client) imports the Elasticsearch client; the other layers hold its Client type from src/storage/client.ts and reach the cluster through storage',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(storage|service)/' },
      to: { path: '@elastic/elasticsearch' },
    },
    {
      name: 'analysis-is-pure',
      comment:
        'analysis functions work on values from contracts; they neither talk to Elasticsearch nor take its query types',
      severity: 'error',
      from: { path: '^src/analysis/' },
      to: { path: '^src/storage/' },
    },
    {
      name: 'tooling-below-its-users',
      comment: 'tools/ is shared by tests, benchmarks and entry points, and imports none of them',
      severity: 'error',
      from: { path: '^tools/' },
      to: { path: '^(tests|bench|bin)/' },
    },
    {
      name: 'bench-apart-from-tests',
      comment: 'benchmarks share the harness in tools/harness with the tests, not the tests',
      severity: 'error',
      from: { path: '^bench/' },
      to: { path: '^tests/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'resolvable',
      comment:
        'fixtures import the package by name, as users do; it resolves to dist/ once built. ' +
        "The resolver here does not follow auto-instrumentations-node's nested export conditions.",
      severity: 'error',
      from: {},
      to: {
        couldNotResolve: true,
        pathNot: '^(lantern(/register)?|@opentelemetry/auto-instrumentations-node/register)$',
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // node_modules is not followed, but stays visible: rules about packages (the Elasticsearch
    // client) must see imports of them.
    exclude: { path: '^(dist|\\.lantern)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'] },
  },
};
