import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { JsonTooDeepError, parseBoundedJson } from '../shared/index.js';
import { requestErrors } from './http-errors.js';

const JSON_TYPES = ['application/json', 'application/*+json'];

/**
 * Reads a JSON request body up to `limit` bytes as text, then parses it with the depth bound.
 * Errors are coded request errors, so the API's one error shape applies.
 */
export function boundedJsonBody(limit: number | string): RequestHandler {
  const read = express.text({ type: JSON_TYPES, limit });
  return (req: Request, res: Response, next: NextFunction) =>
    read(req, res, (error?: unknown) => {
      if (error) return next(error);
      if (typeof req.body !== 'string') return next();
      if (req.body.trim() === '') {
        req.body = undefined;
        return next();
      }
      try {
        req.body = parseBoundedJson(req.body);
        next();
      } catch (cause) {
        next(cause instanceof JsonTooDeepError ? requestErrors.body_too_deep({ limit: cause.limit }) : requestErrors.body_not_json({ reason: (cause as Error).message }));
      }
    });
}
