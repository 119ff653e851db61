/**
 * @overview Every request the UI makes to the admin API goes through `httpClient`: the session cookie
 * rides along (same origin), and writes carry the CSRF token the API set at sign-in. The token is
 * read from its cookie rather than kept in memory, so it survives a page reload.
 */
import { fetchUtils, HttpError } from 'react-admin';

const csrfCookie = 'cg_csrf';
const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

export function csrfToken(): string | undefined {
  const prefix = `${csrfCookie}=`;
  const cookie = document.cookie.split('; ').find((entry) => entry.startsWith(prefix));
  return cookie ? decodeURIComponent(cookie.slice(prefix.length)) : undefined;
}

interface ValidationBody {
  message?: string;
  errors?: Record<string, string>;
}

/**
 * react-admin puts `body.errors` on the matching inputs. Errors about fields the form does not show
 * (or about the whole body) would then vanish, so the API's message, which names every field, also
 * goes to `root.serverError`, which react-admin shows as the notification.
 */
function withServerError(error: unknown): unknown {
  if (!(error instanceof HttpError)) {
    return error;
  }
  const body = error.body as ValidationBody | undefined;
  if (!body?.errors || Object.keys(body.errors).length === 0) {
    return error;
  }
  const serverError = body.message ?? error.message;
  return new HttpError(error.message, error.status, { ...body, errors: { ...body.errors, root: { serverError } } });
}

export async function httpClient(url: string, options: fetchUtils.Options = {}) {
  const method = (options.method ?? 'GET').toUpperCase();
  const headers = new Headers(options.headers);
  headers.set('Accept', 'application/json');
  const token = csrfToken();
  if (!safeMethods.has(method) && token) {
    headers.set('x-csrf-token', token);
  }
  try {
    return await fetchUtils.fetchJson(url, { ...options, headers, credentials: 'same-origin' });
  } catch (error) {
    throw withServerError(error);
  }
}
