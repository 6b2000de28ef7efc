// Demo frontend: a shop that calls the backend over HTTP (fetch). Instrumented only by
// `node --import lantern/register`.
import express from 'express';
import pino from 'pino';
import { accessLog } from './access-log.mjs';
import { faultRoutes, faultsOf, pause, version } from './faults.mjs';

const logger = pino({ name: 'frontend' });
const backend = process.env.BACKEND_URL ?? 'http://127.0.0.1:8082';
const app = express();
app.use(accessLog(logger));
app.use(express.json());
faultRoutes(app, logger, ['/checkout/:sku', '/products/:sku']);

/** The backend's inventory of a SKU, or why there is none (logged as the route's error). */
async function inventory(sku, what) {
  try {
    const response = await fetch(`${backend}/inventory/${encodeURIComponent(sku)}`);
    if (!response.ok) {
      logger.error(
        { sku, status: response.status },
        `${what} failed for sku ${sku}: backend answered ${response.status}`,
      );
      return { status: 502, body: { error: 'inventory unavailable' } };
    }
    return { status: 200, body: await response.json() };
  } catch (error) {
    logger.error({ sku, err: error }, `${what} failed for sku ${sku}: ${error.message}`);
    return { status: 502, body: { error: 'backend unreachable' } };
  }
}

// A product page: what most visitors see; checkout is the rarer, paying route.
app.get('/products/:sku', async (req, res) => {
  const { sku } = req.params;
  const faults = faultsOf(req.route.path);
  await pause(faults.latencyMs);
  if (Math.random() < faults.errorRate) {
    logger.error({ sku }, `product page failed for sku ${sku}: template render error`);
    return res.status(500).json({ error: 'product page failed' });
  }
  const { status, body } = await inventory(sku, 'product page');
  res.status(status).json(status === 200 ? { sku, item: body } : body);
});

app.get('/checkout/:sku', async (req, res) => {
  const { sku } = req.params;
  const faults = faultsOf(req.route.path);
  await pause(faults.latencyMs);
  if (Math.random() < faults.errorRate) {
    logger.error({ sku }, `checkout failed for sku ${sku}: payment declined by provider`);
    return res.status(500).json({ error: 'checkout failed' });
  }
  const { status, body } = await inventory(sku, 'checkout');
  if (status !== 200) return res.status(status).json(body);
  logger.info({ sku }, `checkout ok for sku ${sku}`);
  res.json({ ok: true, item: body });
});

app.get('/health', (req, res) => res.json({ ok: true, version }));

const server = app.listen(Number(process.env.PORT ?? 8081), process.env.HOST ?? '127.0.0.1', () => {
  const { port } = server.address();
  logger.info({ port }, 'frontend listening');
  process.stdout.write(`${JSON.stringify({ listening: port })}\n`);
});
