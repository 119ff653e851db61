/**
 * @overview Security Event Tokens (RFC 8417) as the OpenID Shared Signals Framework 1.0 profiles
 * them: header `typ` `secevent+jwt` (explicit typing), signed RS256 (the CAEP interoperability
 * profile), claims `iss`, `iat`, `jti`, `aud`, `txn`, `sub_id` (RFC 9493 subject identifiers) and
 * `events` with exactly one event; never `sub` or `exp`, which would let a SET pass for an access
 * or identity token (RFC 8417 §2.2, SSF 1.0 §4.1).
 *
 * @see RFC 8417; RFC 9493; OpenID SSF 1.0 §4, §8.1.4; OpenID CAEP 1.0 §3.1 (session-revoked)
 */
import { SignJWT } from 'jose';

import type { SigningKey } from '../keys/signing-keys.ts';

/** The signing-key role of SETs: RS256 keys, the CAEP interoperability profile's algorithm. */
export const securityEventSigningRole = 'ssf';
export const securityEventAlg = 'RS256';

/** SSF 1.0 §4.1.1 explicit typing. */
export const securityEventJwtType = 'secevent+jwt';

export const securityEventTypes = {
  /** CAEP 1.0 §3.1: every session of the subject is revoked. */
  sessionRevoked: 'https://schemas.openid.net/secevent/caep/event-type/session-revoked',
  /** SSF 1.0 §8.1.4.1: a verification event carrying the receiver's `state`. */
  verification: 'https://schemas.openid.net/secevent/ssf/event-type/verification',
} as const;

/** An RFC 9493 subject identifier, or the SSF `complex` and `jwt_id` formats. */
export type SubjectIdentifier =
  | { format: 'iss_sub'; iss: string; sub: string }
  | { format: 'email'; email: string }
  | { format: 'opaque'; id: string }
  | { format: 'uri'; uri: string }
  | { format: 'jwt_id'; iss: string; jti: string }
  | { format: 'complex'; user?: SubjectIdentifier; application?: SubjectIdentifier; tenant?: SubjectIdentifier; session?: SubjectIdentifier };

export interface MintSecurityEventOptions {
  signingKey: SigningKey;
  /** The transmitter's issuer. */
  issuer: string;
  /** The receiver: the stream's `aud`, one value or several. */
  audience: readonly string[];
  /** Unique per SET; the same on every retry of one delivery, so the receiver can drop a repeat. */
  jti: string;
  /** Ties together the SETs of one cause (RFC 8417 §2.2). */
  txn?: string;
  subject: SubjectIdentifier;
  /** One event type and its claims. */
  event: { type: string; claims: Record<string, unknown> };
  now: Date;
}

/** A signed SET. */
export async function mintSecurityEvent(options: MintSecurityEventOptions): Promise<string> {
  if (options.audience.length === 0) {
    throw new TypeError('A SET needs an audience');
  }
  const claims = {
    iss: options.issuer,
    iat: Math.floor(options.now.getTime() / 1000),
    jti: options.jti,
    aud: options.audience.length === 1 ? options.audience[0] : [...options.audience],
    ...(options.txn === undefined ? {} : { txn: options.txn }),
    sub_id: options.subject,
    events: { [options.event.type]: options.event.claims },
  };
  return new SignJWT(claims).setProtectedHeader({ alg: options.signingKey.alg, typ: securityEventJwtType, kid: options.signingKey.kid }).sign(options.signingKey.privateKey);
}

/** CAEP session-revoked claims for an admin's action (the interoperability profile requires `reason_admin`). */
export function sessionRevokedEvent(reason: string, eventTimestamp: Date): { type: string; claims: Record<string, unknown> } {
  return {
    type: securityEventTypes.sessionRevoked,
    claims: { initiating_entity: 'admin', reason_admin: { en: reason }, event_timestamp: Math.floor(eventTimestamp.getTime() / 1000) },
  };
}

/** SSF verification event; `state` is echoed when the receiver gave one. */
export function verificationEvent(state: string | undefined): { type: string; claims: Record<string, unknown> } {
  return { type: securityEventTypes.verification, claims: state === undefined ? {} : { state } };
}
