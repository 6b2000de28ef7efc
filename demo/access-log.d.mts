import type { RequestHandler } from 'express';

/** Body of the access-log record written when a response is closed. */
export declare const ACCESS_LOG: string;
export declare function accessLog(logger: {
  info(fields: object, message: string): void;
}): RequestHandler;
