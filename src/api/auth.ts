import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { ApiError } from './errors.ts';

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** Requires `Authorization: Bearer <token>` when a token is configured (constant-time compare). */
export function bearerToken(token: string | undefined): RequestHandler {
  if (token === undefined)
    return (_req, _res, next) => {
      next();
    };
  const expected = digest(token);
  return (req, _res, next) => {
    const header = req.get('authorization') ?? '';
    const given = /^Bearer (.+)$/i.exec(header)?.[1];
    if (given === undefined || !timingSafeEqual(digest(given), expected)) {
      next(
        new ApiError(
          401,
          'unauthorized',
          'a valid bearer token is required (Authorization: Bearer <token>)',
        ),
      );
      return;
    }
    next();
  };
}
