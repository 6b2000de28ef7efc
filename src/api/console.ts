import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { Router } from 'express';
import { ApiError } from './errors.ts';

/** The console's deep-linkable pages: each answers with the page shell, the app routes itself. */
const PAGES = [
  '/',
  '/services/:service',
  '/alerts',
  '/alerts/:id',
  '/incidents',
  '/incidents/:id',
  '/traces',
  '/traces/:traceId',
  '/map',
  '/logs',
  '/storage',
];

/**
 * The console (built into `dir` by `npm run build`): its assets under /console/, and the shell at
 * every page route. The shell and assets hold no data, so they need no token; everything they
 * show comes from /api/v1, behind the token.
 */
export function consoleRoutes(dir: string): Router {
  const router = Router();
  const built = existsSync(join(dir, 'index.html'));
  router.use('/console', express.static(dir, { index: false, maxAge: '1h' }));
  router.get(PAGES, (_req, res) => {
    if (!built) {
      throw new ApiError(
        503,
        'console_not_built',
        `the console is not built: run npm run build (${dir})`,
      );
    }
    res.set('cache-control', 'no-cache').sendFile(join(dir, 'index.html'));
  });
  return router;
}
