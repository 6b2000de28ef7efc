// Error rate and extra latency of a demo service, changeable at run time:
//   curl -X PUT localhost:<port>/_demo/faults -H 'content-type: application/json' \
//     -d '{"errorRate":0.2,"latencyMs":300}'
export const faults = {
  errorRate: Number(process.env.DEMO_ERROR_RATE ?? 0.005),
  latencyMs: Number(process.env.DEMO_LATENCY_MS ?? 0),
};

export function faultRoutes(app, logger) {
  app.get('/_demo/faults', (req, res) => res.json(faults));
  app.put('/_demo/faults', (req, res) => {
    const { errorRate, latencyMs } = req.body ?? {};
    if (errorRate !== undefined && !(errorRate >= 0 && errorRate <= 1)) {
      return res
        .status(400)
        .json({ error: { code: 'bad_request', message: 'errorRate must be between 0 and 1' } });
    }
    if (latencyMs !== undefined && !(latencyMs >= 0 && latencyMs <= 60_000)) {
      return res
        .status(400)
        .json({ error: { code: 'bad_request', message: 'latencyMs must be between 0 and 60000' } });
    }
    if (errorRate !== undefined) faults.errorRate = errorRate;
    if (latencyMs !== undefined) faults.latencyMs = latencyMs;
    logger.warn({ faults }, 'faults changed');
    res.json(faults);
  });
}

export const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
