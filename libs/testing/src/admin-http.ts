/** A small HTTP client for the admin API over real loopback HTTP, as an API token or a UI session. */
export interface HttpResult<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export class AdminHttp {
  private constructor(
    readonly baseUrl: string,
    private readonly headers: Record<string, string>,
  ) {}

  static anonymous(baseUrl: string): AdminHttp {
    return new AdminHttp(baseUrl, {});
  }

  /** The headers that authenticate this client, for a request it does not make itself (a streamed download). */
  authHeaders(): Record<string, string> {
    return { ...this.headers };
  }

  static withToken(baseUrl: string, token: string): AdminHttp {
    return new AdminHttp(baseUrl, { authorization: `Bearer ${token}` });
  }

  /** Signs in through /api/auth/sign-in and keeps the session cookie and CSRF token. */
  static async signIn(baseUrl: string, email: string, password: string): Promise<AdminHttp> {
    const response = await fetch(`${baseUrl}/api/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    if (response.status !== 200) {
      throw new Error(`sign-in failed with ${response.status}: ${await response.text()}`);
    }
    const { csrfToken } = (await response.json()) as { csrfToken: string };
    const cookie = response.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .join('; ');
    return new AdminHttp(baseUrl, { cookie, 'x-csrf-token': csrfToken });
  }

  /** The same credentials without the CSRF header, to prove it is required. */
  withoutCsrf(): AdminHttp {
    const { 'x-csrf-token': _dropped, ...rest } = this.headers;
    return new AdminHttp(this.baseUrl, rest);
  }

  async request<T = unknown>(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<HttpResult<T>> {
    const headers: Record<string, string> = { ...this.headers, ...extraHeaders };
    let payload: string | undefined;
    if (body !== undefined) {
      headers['content-type'] ??= 'application/json';
      payload = typeof body === 'string' ? body : JSON.stringify(body);
    }
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body: payload });
    const text = await response.text();
    let parsed: unknown = text;
    // application/json or application/problem+json, but not application/x-ndjson (one JSON per line).
    if (/^application\/([\w.-]+\+)?json\b/.test(response.headers.get('content-type') ?? '') && text) {
      parsed = JSON.parse(text);
    }
    return { status: response.status, headers: response.headers, body: parsed as T };
  }

  get<T = unknown>(path: string) {
    return this.request<T>('GET', path);
  }
  post<T = unknown>(path: string, body?: unknown) {
    return this.request<T>('POST', path, body);
  }
  put<T = unknown>(path: string, body?: unknown) {
    return this.request<T>('PUT', path, body);
  }
  delete<T = unknown>(path: string) {
    return this.request<T>('DELETE', path);
  }
}

/** Fails with the answer when `response` is not `status`. */
export function expectStatus<T>(response: HttpResult<T>, status: number, what: string): T {
  if (response.status !== status) {
    throw new Error(`${what} answered ${response.status}: ${JSON.stringify(response.body)}`);
  }
  return response.body;
}

/** `?sort=…&range=…&filter=…` in the ra-data-simple-rest dialect. */
export function listQuery(options: { sort?: [string, 'ASC' | 'DESC']; range?: [number, number]; filter?: object }): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) {
      params.set(key, JSON.stringify(value));
    }
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
