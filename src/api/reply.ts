import type { Response } from 'express';
import type { z } from 'zod';
import { endpoints, type JsonEndpoint } from '../contracts/api/endpoints.ts';
import type { Immutable } from '../contracts/api/immutable.ts';

/**
 * Sends an endpoint's answer with its status. The body is checked against the endpoint's schema
 * when the server is compiled (not at run time: the integration tests parse real answers), so a
 * route cannot answer a shape the contract does not describe.
 */
export function reply<K extends JsonEndpoint>(
  res: Response,
  key: K,
  body: Immutable<z.input<NonNullable<(typeof endpoints)[K]['body']>>>,
): void {
  res.status(endpoints[key].status).json(body);
}
