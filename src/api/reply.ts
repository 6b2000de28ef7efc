import type { Response } from 'express';
import type { z } from 'zod';
import { endpoints, type JsonEndpoint } from '../contracts/api/endpoints.ts';

/** What a body may be built from: the contract's shape, read-only wherever it nests. */
type Built<T> = T extends readonly (infer E)[]
  ? readonly Built<E>[]
  : T extends object
    ? { readonly [P in keyof T]: Built<T[P]> }
    : T;

/**
 * Sends an endpoint's answer with its status. The body is checked against the endpoint's schema
 * when the server is compiled (not at run time: the integration tests parse real answers), so a
 * route cannot answer a shape the contract does not describe.
 */
export function reply<K extends JsonEndpoint>(
  res: Response,
  key: K,
  body: Built<z.input<NonNullable<(typeof endpoints)[K]['body']>>>,
): void {
  res.status(endpoints[key].status).json(body);
}
