/**
 * @overview Who the ID-JAG says the user and the client are, for one resource: the `sub`, the
 * `client_id` and the optional `email` (SPEC.md §2.2 "Map `client_id`" and "Map `sub`", §2.4).
 *
 * - `sub` is the subject the resource's authorization server would see in an ID token from us:
 *   either the upstream IdP's `sub` unchanged (`public`), or a pairwise identifier per authorization
 *   server (OpenID Connect Core §8.1), so two authorization servers cannot correlate one user by it.
 *   The pairwise value is base64url(HMAC-SHA256(secret, sector "\n" IdP issuer "\n" upstream sub)):
 *   opaque, stable for as long as the secret is, and distinct per sector and per upstream IdP.
 * - `client_id` is the client's id at the resource's authorization server when it is registered
 *   there under another id, else its Crossgate client_id.
 * - `email` only for resources configured to receive it (MCP stable §7.4.3: minimise PII).
 *
 * @see draft-ietf-oauth-identity-assertion-authz-grant-03 (SPEC.md §2.2, §2.4)
 * @see OpenID Connect Core 1.0 §8 (subject identifier types)
 */
import { createHmac } from 'node:crypto';

/** How a resource's ID-JAG `sub` is formed; the values of Resource.subjectType. */
export type IdJagSubjectType = 'public' | 'pairwise';

/** The shortest pairwise secret accepted, in bytes: the HMAC-SHA256 output size. */
export const minPairwiseSecretBytes = 32;

export interface IdJagSubjectInput {
  subjectType: IdJagSubjectType;
  /** The pairwise sector: the resource's `authorizationServer` issuer identifier, used verbatim. */
  sector: string;
  /** The issuer of the upstream ID token the user signed in with. */
  idpIssuer: string;
  /** The upstream ID token's `sub`. */
  upstreamSubject: string;
  /** At least 32 bytes (`config.subjects.pairwiseSecret`); read only for `pairwise`. */
  pairwiseSecret: Uint8Array;
  /** The client's client_id at Crossgate. */
  crossgateClientId: string;
  /** The client's id at the resource's authorization server, when it has a registration there. */
  remoteClientId?: string | null;
  /** Whether the resource is configured to receive the user's email. */
  releaseEmail: boolean;
  /** The user's email, when known. */
  email?: string | null;
}

export interface IdJagSubjectClaims {
  /** The ID-JAG `sub`. */
  sub: string;
  /** The ID-JAG `client_id`. */
  clientId: string;
  /** The ID-JAG `email`; absent unless released and known. */
  email?: string;
}

/**
 * The pairwise subject of `upstreamSubject` at `sector`. Throws TypeError on a short secret or on a
 * sector or issuer with a line break, which would make the HMAC input ambiguous.
 */
export function pairwiseSubject(secret: Uint8Array, sector: string, idpIssuer: string, upstreamSubject: string): string {
  if (secret.byteLength < minPairwiseSecretBytes) {
    throw new TypeError(`The pairwise subject secret must be at least ${minPairwiseSecretBytes} bytes`);
  }
  for (const [name, value] of Object.entries({ sector, idpIssuer, upstreamSubject })) {
    if (value.length === 0) {
      throw new TypeError(`${name} must not be empty`);
    }
  }
  if (/[\r\n]/.test(sector) || /[\r\n]/.test(idpIssuer)) {
    throw new TypeError('sector and idpIssuer must not contain line breaks');
  }
  return createHmac('sha256', secret).update(`${sector}\n${idpIssuer}\n${upstreamSubject}`, 'utf8').digest('base64url');
}

/**
 * The `sub`, `client_id` and `email` of an ID-JAG for one resource. Pure: the caller loads the
 * resource's subject type, email release and the client's registration there.
 */
export function idJagSubjectClaims(input: IdJagSubjectInput): IdJagSubjectClaims {
  const sub =
    input.subjectType === 'pairwise'
      ? pairwiseSubject(input.pairwiseSecret, input.sector, input.idpIssuer, input.upstreamSubject)
      : input.upstreamSubject;
  const clientId = input.remoteClientId ? input.remoteClientId : input.crossgateClientId;
  return input.releaseEmail && input.email ? { sub, clientId, email: input.email } : { sub, clientId };
}
