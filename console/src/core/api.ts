import { language } from './i18n.js';

/**
 * Every call to the service. The session travels in the HttpOnly cookie the login set; the
 * X-Taishi-CSRF header is what lets a cookie-authenticated request change anything (a form on
 * another site cannot send it).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
    /** The service's stable code (`auth.invalid_credentials`) and the values its message is filled from. */
    readonly code?: string,
    readonly params?: Record<string, unknown>,
  ) {
    super(message);
  }
}

type QueryValue = string | number | boolean | undefined | null | (string | number)[];

export interface CallOptions {
  query?: Record<string, QueryValue>;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as it is, e.g. a CSV file or rule YAML. */
  raw?: { content: BodyInit; type: string };
}

const expiredListeners: (() => void)[] = [];

/** Called when the service answers 401 to a logged-in page: the session ran out or was revoked. */
export function onUnauthorized(listener: () => void): void {
  expiredListeners.push(listener);
}

export function url(path: string, query?: Record<string, QueryValue>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

export async function api<T = unknown>(method: string, path: string, options: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', 'accept-language': language(), 'x-taishi-csrf': '1' };
  let body: BodyInit | undefined;
  if (options.raw) {
    headers['content-type'] = options.raw.type;
    body = options.raw.content;
  } else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const response = await fetch(url(path, options.query), { method, headers, body, credentials: 'same-origin' });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  if (!response.ok) {
    const error = parsed as { message?: string; details?: unknown; code?: string; params?: Record<string, unknown> } | undefined;
    if (response.status === 401 && path !== '/api/auth/login') for (const l of expiredListeners) l();
    throw new ApiError(response.status, error?.message ?? response.statusText, error?.details, error?.code, error?.params);
  }
  return parsed as T;
}
