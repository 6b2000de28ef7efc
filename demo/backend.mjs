// Demo backend: an inventory service. Instrumented only by `node --import lantern/register`.
import express from 'express';
import pino from 'pino';
import { accessLog } from './access-log.mjs';
import { faultRoutes, faultsOf, pause } from './faults.mjs';

const logger = pino({ name: 'backend' });
const app = express();
app.use(accessLog(logger));
app.use(express.json());
faultRoutes(app, logger, ['/inventory/:sku']);

app.get('/inventory/:sku', async (req, res) => {
  const { sku } = req.params;
  const faults = faultsOf(req.route.path);
  await pause(2 + Math.random() * 8 + faults.latencyMs);
  if (Math.random() < faults.errorRate) {
    logger.error({ sku }, `inventory lookup failed for sku ${sku}: connection reset`);
    return res.status(503).json({ error: 'inventory unavailable' });
  }
  logger.info({ sku }, `inventory found for sku ${sku}`);
  res.json({ sku, inStock: Math.floor(Math.random() * 100) });
});

const server = app.listen(Number(process.env.PORT ?? 8082), process.env.HOST ?? '127.0.0.1', () => {
  const { port } = server.address();
  logger.info({ port }, 'backend listening');
  process.stdout.write(`${JSON.stringify({ listening: port })}\n`);
});
