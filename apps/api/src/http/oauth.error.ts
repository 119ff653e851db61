/**
 * @overview The OAuth surface's one error class: a closed set of RFC 6749 §5.2, RFC 8693 §2.2.2,
 * RFC 8707 §2 and RFC 9470 §3 codes, each with its HTTP status. `OAuthErrorFilter` is the only
 * place that turns them into responses. `expose` follows node-oidc-provider: a description is
 * shown to the caller only below 500.
 *
 * @see RFC 6749 §5.2 (error response, `invalid_client` → 401 with `WWW-Authenticate`)
 * @see RFC 8693 §2.2.2, RFC 8707 §2 (`invalid_target`), RFC 9470 §3 (`insufficient_user_authentication`)
 */
export const oauthErrorStatus = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  invalid_target: 400,
  insufficient_user_authentication: 401,
  /** RFC 6750 §3.1: a bearer credential that is not valid (the ID token withdrawing an STS consent). */
  invalid_token: 401,
  /** Not an RFC 6749 code: the endpoint itself does not exist (an unknown or unprotected resource-side authorization server). */
  not_found: 404,
  server_error: 500,
  temporarily_unavailable: 503,
} as const;

export type OAuthErrorCode = keyof typeof oauthErrorStatus;

export class OAuthError extends Error {
  override readonly name = 'OAuthError';
  readonly status: number;
  /** Whether `error_description` may reach the caller. */
  readonly expose: boolean;
  readonly wwwAuthenticate: string | undefined;
  /** Extension members of the error object (RFC 6749 §5.2 allows them): the STS `consent_uri`. */
  readonly members: Readonly<Record<string, string>>;

  constructor(
    readonly code: OAuthErrorCode,
    /** `error_description`: for the client developer, never containing a token or secret. */
    readonly description: string,
    options: {
      /** A `WWW-Authenticate` challenge to send with the response. */
      wwwAuthenticate?: string;
      /** Sent beside `error` when the error is exposed; never a token or secret. */
      members?: Record<string, string>;
      cause?: unknown;
    } = {},
  ) {
    super(description, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = oauthErrorStatus[code];
    this.expose = this.status < 500;
    this.wwwAuthenticate = options.wwwAuthenticate;
    this.members = options.members ?? {};
  }
}
