// Demo frontend: a shop that calls the backend over HTTP (fetch). Instrumented only by
// `node --import lantern/register`.
import express from 'express';
import pino from 'pino';
import { accessLog } from './access-log.mjs';
import { faultRoutes, faults, pause } from './faults.mjs';

const logger = pino({ name: 'frontend' });
const backend = process.env.BACKEND_URL ?? 'http://127.0.0.1:8082';
const app = express();
app.use(accessLog(logger));
app.use(express.json());
faultRoutes(app, logger);

app.get('/checkout/:sku', async (req, res) => {
  const { sku } = req.params;
  await pause(faults.latencyMs);
  if (Math.random() < faults.errorRate) {
    logger.error({ sku }, `checkout failed for sku ${sku}: payment declined by provider`);
    return res.status(500).json({ error: 'checkout failed' });
  }
  try {
    const response = await fetch(`${backend}/inventory/${encodeURIComponent(sku)}`);
    if (!response.ok) {
      logger.error(
        { sku, status: response.status },
        `checkout failed for sku ${sku}: backend answered ${response.status}`,
      );
      return res.status(502).json({ error: 'inventory unavailable' });
    }
    const item = await response.json();
    logger.info({ sku }, `checkout ok for sku ${sku}`);
    res.json({ ok: true, item });
  } catch (error) {
    logger.error({ sku, err: error }, `checkout failed for sku ${sku}: ${error.message}`);
    res.status(502).json({ error: 'backend unreachable' });
  }
});

app.get('/health', (req, res) => res.json({ ok: true }));

const server = app.listen(Number(process.env.PORT ?? 8081), process.env.HOST ?? '127.0.0.1', () => {
  const { port } = server.address();
  logger.info({ port }, 'frontend listening');
  process.stdout.write(`${JSON.stringify({ listening: port })}\n`);
});
