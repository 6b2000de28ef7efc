// Error rate and extra latency of a demo service, changeable at run time, for the whole service
// or for one of its routes (the others keep the service's):
//   curl -X PUT localhost:<port>/_demo/faults -H 'content-type: application/json' \
//     -d '{"errorRate":0.2,"latencyMs":300}'
//   curl -X PUT localhost:8081/_demo/faults -H 'content-type: application/json' \
//     -d '{"route":"/checkout/:sku","errorRate":0.5}'
// At start: DEMO_ERROR_RATE, DEMO_LATENCY_MS, and DEMO_FAULT_ROUTE to give them to one route
// only (how the demo supervisor ships a version that fails one route).
const start = {
  errorRate: Number(process.env.DEMO_ERROR_RATE ?? 0.005),
  latencyMs: Number(process.env.DEMO_LATENCY_MS ?? 0),
};
const startRoute = process.env.DEMO_FAULT_ROUTE;
const BASE = { errorRate: 0.005, latencyMs: 0 };

/** The service's faults, and each route's own where one was set. */
export const faults = {
  ...(startRoute ? BASE : start),
  routes: startRoute ? { [startRoute]: start } : {},
};

/** The faults a request of `route` (an express route path) meets. */
export const faultsOf = (route) => faults.routes[route] ?? faults;

/** The version this process runs: service.version of OTEL_RESOURCE_ATTRIBUTES, if it is set. */
export const version =
  /(?:^|,)\s*service\.version=([^,]*)/.exec(process.env.OTEL_RESOURCE_ATTRIBUTES ?? '')?.[1] ??
  null;

const problem = (res, message) => res.status(400).json({ error: { code: 'bad_request', message } });

/** GET and PUT /_demo/faults; `routes` are the service's route paths a fault may name. */
export function faultRoutes(app, logger, routes) {
  app.get('/_demo/faults', (req, res) => res.json({ ...faults, version }));
  app.put('/_demo/faults', (req, res) => {
    const { errorRate, latencyMs, route } = req.body ?? {};
    if (errorRate !== undefined && !(errorRate >= 0 && errorRate <= 1))
      return problem(res, 'errorRate must be between 0 and 1');
    if (latencyMs !== undefined && !(latencyMs >= 0 && latencyMs <= 60_000))
      return problem(res, 'latencyMs must be between 0 and 60000');
    if (route !== undefined && !routes.includes(route))
      return problem(res, `route must be one of ${routes.join(', ')}`);
    // A route's faults start from the service's, so naming only one figure keeps the other.
    const target =
      route === undefined
        ? faults
        : (faults.routes[route] ??= {
            errorRate: faults.errorRate,
            latencyMs: faults.latencyMs,
          });
    if (errorRate !== undefined) target.errorRate = errorRate;
    if (latencyMs !== undefined) target.latencyMs = latencyMs;
    logger.warn({ faults }, 'faults changed');
    res.json({ ...faults, version });
  });
}

export const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
