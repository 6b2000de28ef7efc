// Access log and Server-Timing for the demo services.

/** Body of the access-log record written when a response is closed. */
export const ACCESS_LOG = 'request finished';

/**
 * Express middleware: a Server-Timing header (seen in browsers' devtools) with the time spent
 * up to the headers, and one access-log record per request timed like its server span, from
 * arrival until the response is closed. Logs are never sampled, so the fidelity benchmark takes
 * its latency truth from these records.
 */
export function accessLog(logger) {
  return (req, res, next) => {
    const started = performance.now();
    const writeHead = res.writeHead;
    res.writeHead = function (...args) {
      res.setHeader('server-timing', `app;dur=${(performance.now() - started).toFixed(2)}`);
      return writeHead.apply(this, args);
    };
    res.on('close', () => {
      const durationMs = Math.round((performance.now() - started) * 1000) / 1000;
      // A response closed before it was sent whole: the client went away.
      const aborted = res.writableFinished ? {} : { aborted: true };
      logger.info({ status: res.statusCode, durationMs, ...aborted }, ACCESS_LOG);
    });
    next();
  };
}
