import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger, ValidationError, ValidationPipe } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import { defineErrors, DomainError, fillTemplate, languageFromAcceptLanguage, type ErrorKind, type Language } from '../shared/index.js';

/** Refusals of the request itself, before any module sees it. */
export const requestErrors = defineErrors('request', {
  invalid_fields: { kind: 'invalid', message: { 'zh-CN': '以下字段填写有误：{fields}（{problems}）', en: 'These fields are not valid: {fields} ({problems})' } },
  unknown_fields: { kind: 'invalid', message: { 'zh-CN': '不认识的字段：{fields}', en: 'Unknown field(s): {fields}' } },
  too_large: { kind: 'too_large', message: { 'zh-CN': '请求体超过大小上限（设置项 TAISHI_BODY_LIMIT）', en: 'Request body exceeds the size limit (setting TAISHI_BODY_LIMIT)' } },
  body_not_json: { kind: 'invalid', message: { 'zh-CN': '请求体不是合法的 JSON：{reason}', en: 'The body is not valid JSON: {reason}' } },
  body_too_deep: { kind: 'invalid', message: { 'zh-CN': '请求体嵌套超过 {limit} 层', en: 'The JSON body nests deeper than {limit} levels' } },
});

/** Not a kind of refusal but a fault: answered 500 with an id to quote, logged with its stack. */
const UNEXPECTED = { 'zh-CN': '意外错误；报告时请提供错误编号 {errorId}', en: 'Unexpected error; quote the errorId {errorId} when reporting it' };
export const UNEXPECTED_ERROR_CODE = 'request.unexpected';

/** The one error shape of the API. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  /** Stable, for clients to key on (e.g. `incident.not_found`); set for every coded domain error. */
  code?: string;
  /** In the caller's language. */
  message: string;
  /** The values the message was filled from, for clients that render their own text. */
  params?: Readonly<Record<string, unknown>>;
  details?: unknown;
  errorId?: string;
}

const STATUS_TEXT: Record<number, string> = Object.fromEntries(
  Object.entries(HttpStatus)
    .filter(([, v]) => typeof v === 'number')
    .map(([k, v]) => [v, k.toLowerCase().replace(/(^|_)(\w)/g, (_m, sep: string, c: string) => (sep ? ' ' : '') + c.toUpperCase())]),
);

/** One field's problems: class-validator's constraint names (`isIn`, `maxLength`…) for clients to word, and its English text. */
export interface FieldProblem {
  field: string;
  constraints: string[];
  problems: string[];
}

function flattenValidationErrors(errors: ValidationError[], prefix = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, constraints: Object.keys(e.constraints), problems: Object.values(e.constraints) }] : [];
    return [...own, ...flattenValidationErrors(e.children ?? [], field)];
  });
}

/**
 * A refusal of fields that a service checks itself (rules that span fields or need the database),
 * in the same shape as the validation pipe's, so clients word both alike.
 */
export function invalidFields(issues: readonly { field: string; constraint: string; message: string }[]): DomainError {
  const byField = new Map<string, FieldProblem>();
  for (const issue of issues) {
    const problem = byField.get(issue.field) ?? { field: issue.field, constraints: [], problems: [] };
    problem.constraints.push(issue.constraint);
    problem.problems.push(issue.message);
    byField.set(issue.field, problem);
  }
  const details = [...byField.values()];
  return requestErrors.invalid_fields({ fields: details.map((d) => d.field), problems: details.map((d) => `${d.field}: ${d.problems.join(', ')}`) }, details);
}

/** Validation for every body and query: unknown fields are named, not silently dropped. */
export function strictValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const details = flattenValidationErrors(errors);
      const unknown = details.filter((d) => d.constraints.includes('whitelistValidation')).map((d) => d.field);
      if (unknown.length) return requestErrors.unknown_fields({ fields: unknown }, details);
      return requestErrors.invalid_fields({ fields: details.map((d) => d.field), problems: details.map((d) => `${d.field}: ${d.problems.join(', ')}`) }, details);
    },
  });
}

/** How each kind of domain error reads over HTTP: mapped here once, for every module. */
const STATUS_OF_KIND: Record<ErrorKind, number> = {
  invalid: HttpStatus.BAD_REQUEST,
  unauthenticated: HttpStatus.UNAUTHORIZED,
  forbidden: HttpStatus.FORBIDDEN,
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  locked: HttpStatus.LOCKED,
  too_large: HttpStatus.PAYLOAD_TOO_LARGE,
  rate_limited: HttpStatus.TOO_MANY_REQUESTS,
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
  unprocessable: HttpStatus.UNPROCESSABLE_ENTITY,
  unsupported_type: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  upstream_failed: HttpStatus.BAD_GATEWAY,
};

/**
 * The language an error is answered in: the logged-in user's setting, else the request's
 * Accept-Language, else Chinese.
 */
export function requestLanguage(req: Request | undefined): Language {
  const principal = (req as (Request & { principal?: { kind: string; language?: Language } }) | undefined)?.principal;
  if (principal?.kind === 'user' && principal.language) return principal.language;
  return languageFromAcceptLanguage(req?.headers['accept-language']);
}

export function errorBody(exception: unknown, language: Language = 'zh-CN'): { body: ErrorBody; unexpected: boolean } {
  if (exception instanceof DomainError) {
    const status = STATUS_OF_KIND[exception.kind];
    return {
      body: {
        statusCode: status,
        error: STATUS_TEXT[status] ?? 'Error',
        code: exception.code,
        message: exception.messageIn(language),
        params: exception.params,
        ...(exception.details !== undefined ? { details: exception.details } : {}),
      },
      unexpected: false,
    };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    const r = typeof response === 'string' ? { message: response } : (response as { message?: unknown; details?: unknown });
    // Nest turns body-parser's 413 into a bare "request entity too large"; say which limit.
    // A 413 of our own (an upload with a limit of its own) already names its setting.
    if (status === HttpStatus.PAYLOAD_TOO_LARGE && /^(request entity|payload) too large$/i.test(String(r.message ?? exception.message))) return errorBody(requestErrors.too_large(), language);
    const message = Array.isArray(r.message) ? r.message.join('; ') : String(r.message ?? exception.message);
    return { body: { statusCode: status, error: STATUS_TEXT[status] ?? 'Error', message, ...(r.details !== undefined ? { details: r.details } : {}) }, unexpected: false };
  }
  const errorId = randomUUID();
  return { body: { statusCode: 500, error: 'Internal Server Error', code: UNEXPECTED_ERROR_CODE, message: fillTemplate(UNEXPECTED[language], { errorId }), params: { errorId }, errorId }, unexpected: true };
}

@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { body, unexpected } = errorBody(exception, requestLanguage(host.switchToHttp().getRequest<Request>()));
    if (unexpected) this.logger.error(`errorId=${body.errorId}: ${(exception as Error)?.stack ?? String(exception)}`);
    if (response.headersSent) return;
    // Errors that say when to come back (429, 503) say it in the standard header too.
    const retryAfter = (body.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
    if (typeof retryAfter === 'number') response.setHeader('Retry-After', String(retryAfter));
    response.status(body.statusCode).json(body);
  }
}
