/**
 * @overview A stand-in upstream IdP for the token specs: real keys, real signed ID tokens, and a
 * frozen clock. Test support only (excluded from the build).
 */
import { type CryptoKey, type JSONWebKeySet, type JWTPayload, SignJWT } from 'jose';

import { generateSigningKey, type SigningKey } from '../keys/signing-keys.ts';

/** The instant every spec treats as "now". */
export const frozenNow = new Date('2026-11-20T10:00:00.000Z');
export const frozenEpoch = Math.floor(frozenNow.getTime() / 1000);

export const idpIssuer = 'https://idp.example.test';
export const clientIdAtIdp = 'requesting-app-at-idp';

export interface LocalIdp {
  issuer: string;
  key: SigningKey;
  rsaKey: SigningKey;
  jwks: JSONWebKeySet;
  /** Signs an ID token; `claims` and `header` override the defaults, `undefined` removes a member. */
  idToken(claims?: Record<string, unknown>, header?: Record<string, unknown>, signWith?: { privateKey: CryptoKey | Uint8Array }): Promise<string>;
}

export async function createLocalIdp(issuer: string = idpIssuer): Promise<LocalIdp> {
  const key = await generateSigningKey();
  const rsaKey = await generateSigningKey({ alg: 'RS256' });
  return {
    issuer,
    key,
    rsaKey,
    jwks: { keys: [key.publicJwk, rsaKey.publicJwk] },
    idToken: (claims = {}, header = {}, signWith = key) =>
      signJwt(
        {
          iss: issuer,
          sub: 'alice-at-idp',
          aud: clientIdAtIdp,
          iat: frozenEpoch,
          exp: frozenEpoch + 300,
          auth_time: frozenEpoch - 60,
          email: 'alice@example.test',
          ...claims,
        },
        { alg: 'ES256', typ: 'JWT', kid: key.kid, ...header },
        signWith.privateKey,
      ),
  };
}

/** Signs any claim set with any header, dropping members set to undefined. */
export function signJwt(claims: Record<string, unknown>, header: Record<string, unknown>, privateKey: CryptoKey | Uint8Array): Promise<string> {
  const payload = withoutUndefined(claims) as JWTPayload;
  const protectedHeader = withoutUndefined(header) as { alg: string };
  return new SignJWT(payload).setProtectedHeader(protectedHeader).sign(privateKey);
}

function withoutUndefined(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, member]) => member !== undefined));
}
