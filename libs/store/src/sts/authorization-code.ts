/**
 * @overview The authorization code flow as Crossgate runs it as a client (an STS consent, an admin's
 * sign-in): a fresh `state`, a PKCE S256 verifier and, for OpenID Connect, a nonce per request; the
 * code redeemed with the same three checked.
 *
 * @see RFC 6749 §4.1, RFC 7636 (PKCE), OpenID Connect Core §3.1.2.1 (nonce)
 */
import * as oidc from 'openid-client';

/** What the client keeps between the redirect to the provider and the provider's redirect back. */
export interface PendingAuthorizationCode {
  codeVerifier: string;
  nonce: string | null;
}

/** The provider's authorization URL for `scopes`, with the `state` and what to keep until the callback. */
export async function authorizationRequest(
  configuration: oidc.Configuration,
  request: { redirectUri: string; scopes: readonly string[]; parameters?: Record<string, string> },
): Promise<{ url: URL; state: string; pending: PendingAuthorizationCode }> {
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  // An OpenID provider returns an ID token for the `openid` scope; its nonce ties it to this request.
  const nonce = request.scopes.includes('openid') ? oidc.randomNonce() : null;
  const url = oidc.buildAuthorizationUrl(configuration, {
    ...request.parameters,
    redirect_uri: request.redirectUri,
    response_type: 'code',
    ...(request.scopes.length > 0 ? { scope: request.scopes.join(' ') } : {}),
    state,
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    ...(nonce === null ? {} : { nonce }),
  });
  return { url, state, pending: { codeVerifier, nonce } };
}

/**
 * Redeems the code of the provider's redirect back (`query`, at `redirectUri`), checking the state,
 * the PKCE verifier and the nonce. Throws openid-client's errors: `ResponseBodyError` and
 * `AuthorizationResponseError` when the provider refused, others when it could not be reached.
 */
export function redeemAuthorizationCode(
  configuration: oidc.Configuration,
  redirectUri: string,
  query: Record<string, unknown>,
  state: string,
  pending: PendingAuthorizationCode,
): Promise<oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers> {
  const callbackUrl = new URL(redirectUri);
  for (const [name, value] of Object.entries(query)) {
    if (typeof value === 'string') {
      callbackUrl.searchParams.set(name, value);
    }
  }
  return oidc.authorizationCodeGrant(configuration, callbackUrl, {
    pkceCodeVerifier: pending.codeVerifier,
    expectedState: state,
    ...(pending.nonce === null ? {} : { expectedNonce: pending.nonce }),
  });
}
