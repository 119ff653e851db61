/**
 * @overview This server as an SSF receiver of push-delivered Security Event Tokens from Crossgate
 * (RFC 8935): it validates each SET (explicit type `secevent+jwt`, RS256 against the keys at the
 * transmitter's `jwks_uri`, `iss` the transmitter, `aud` this resource, no `sub` or `exp`, one event),
 * answers 202, and applies a CAEP session-revoked event to {@link Revocations} at once, so the next
 * request with a covered token is refused even though the token still verifies. A SET seen before
 * (same `jti`) is acknowledged and not applied again. A transmitter that cannot be consulted gets 503,
 * so it retries; a SET that is wrong gets 400 with the RFC 8935 error JSON, so it does not.
 *
 * @see RFC 8935 §2 (push), §2.3 (errors); RFC 8417 §2; OpenID SSF 1.0 §4, §7.1, §8.1.4; CAEP 1.0 §3.1
 */
import { timingSafeEqual } from 'node:crypto';

import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';
import { z } from 'zod';

import { AuthorizationServerUnavailableError, fetchJson } from '../authorization-server/authorization-server.ts';
import type { RevocationTarget, Revocations } from './revocations.ts';

const sessionRevoked = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
const verification = 'https://schemas.openid.net/secevent/ssf/event-type/verification';
/** SETs already applied are remembered this long, by `jti`, so a retried push is not applied twice. */
const seenTtlMs = 24 * 60 * 60 * 1000;
const maxSetBytes = 64 * 1024;

type SetError = 'invalid_request' | 'invalid_key' | 'invalid_issuer' | 'invalid_audience' | 'authentication_failed';

const transmitterSchema = z.object({ issuer: z.string(), jwks_uri: z.url() });

interface Subject {
  format?: unknown;
  [member: string]: unknown;
}

export interface SecurityEventReceiverOptions {
  /** The transmitter's issuer: Crossgate's public URL. */
  transmitter: string;
  /** The `aud` this receiver answers to: its resource identifier. */
  audience: string;
  /** The Authorization header value the stream was registered with; pushes without it are refused. */
  authorization?: string;
  log: (message: string) => void;
}

export class SecurityEventReceiver {
  private keySet?: ReturnType<typeof createRemoteJWKSet>;
  private readonly seen = new Map<string, number>();
  /** The `state` of the last verification event, for the operator. */
  lastVerification: { state: string | null; at: Date } | null = null;

  constructor(
    private readonly options: SecurityEventReceiverOptions,
    readonly revocations: Revocations,
  ) {}

  async handle(request: Request): Promise<Response> {
    if (request.method !== 'POST') {
      return new Response(null, { status: 405, headers: { allow: 'POST' } });
    }
    if (!this.authorised(request.headers.get('authorization'))) {
      return setError(401, 'authentication_failed', 'The push did not carry the Authorization header this stream was registered with');
    }
    const contentType = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
    if (contentType !== 'application/secevent+jwt') {
      return setError(400, 'invalid_request', 'A SET is pushed as application/secevent+jwt (RFC 8935 §2.1)');
    }
    const body = (await request.text()).trim();
    if (body.length === 0 || body.length > maxSetBytes) {
      return setError(400, 'invalid_request', 'The body must be one compact SET');
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(body, await this.keys(), {
        typ: 'secevent+jwt',
        algorithms: ['RS256'],
        issuer: this.options.transmitter,
        audience: this.options.audience,
        requiredClaims: ['iss', 'aud', 'iat', 'jti'],
      }));
    } catch (error) {
      return rejection(error);
    }
    if (payload.sub !== undefined || payload.exp !== undefined) {
      return setError(400, 'invalid_request', 'A SET carries neither "sub" nor "exp" (SSF 1.0 §4.1)');
    }
    const events = payload['events'];
    if (typeof events !== 'object' || events === null || Array.isArray(events) || Object.keys(events).length !== 1) {
      return setError(400, 'invalid_request', 'A SET carries exactly one event in "events"');
    }
    const jti = payload.jti as string;
    const now = Date.now();
    if ((this.seen.get(jti) ?? 0) > now) {
      return new Response(null, { status: 202 });
    }
    const [[type, claims]] = Object.entries(events as Record<string, unknown>) as [[string, unknown]];
    this.apply(type, claims, payload['sub_id'], payload.iat as number);
    this.remember(jti, now);
    return new Response(null, { status: 202 });
  }

  private apply(type: string, claims: unknown, subject: unknown, issuedAt: number): void {
    const event = (typeof claims === 'object' && claims !== null ? claims : {}) as Record<string, unknown>;
    if (type === verification) {
      this.lastVerification = { state: typeof event['state'] === 'string' ? event['state'] : null, at: new Date() };
      this.options.log('SSF verification event received');
      return;
    }
    if (type !== sessionRevoked) {
      // SSF 1.0 §4.1: an event this receiver does not understand is acknowledged and ignored.
      return;
    }
    const target = this.targetOf(subject);
    if (target === null) {
      return;
    }
    const timestamp = typeof event['event_timestamp'] === 'number' ? event['event_timestamp'] : issuedAt;
    this.revocations.revoke(target, timestamp);
    this.options.log(`Session revoked by a security event: ${target.kind}`);
  }

  /** The RFC 9493 / SSF subject as this server's tokens can be matched: by `jti`, `sub`, `client_id`. */
  private targetOf(value: unknown): RevocationTarget | null {
    if (typeof value !== 'object' || value === null) {
      return null;
    }
    const subject = value as Subject;
    switch (subject.format) {
      case 'jwt_id':
        return typeof subject['jti'] === 'string' ? { kind: 'token', jti: subject['jti'] } : null;
      case 'iss_sub':
        return typeof subject['sub'] === 'string' ? { kind: 'user', sub: subject['sub'] } : null;
      case 'uri':
        return subject['uri'] === this.options.audience ? { kind: 'all' } : null;
      case 'complex': {
        const user = subject['user'] as Subject | undefined;
        const application = subject['application'] as Subject | undefined;
        const sub = user?.format === 'iss_sub' && typeof user['sub'] === 'string' ? user['sub'] : undefined;
        const clientId = application?.format === 'opaque' && typeof application['id'] === 'string' ? application['id'] : undefined;
        if (sub !== undefined && clientId !== undefined) {
          return { kind: 'user_client', sub, clientId };
        }
        if (sub !== undefined) {
          return { kind: 'user', sub };
        }
        if (clientId !== undefined) {
          return { kind: 'client', clientId };
        }
        // A tenant (an IdP, or every tenant of the transmitter): nothing issued before now stands.
        return subject['tenant'] === undefined ? null : { kind: 'all' };
      }
      default:
        return null;
    }
  }

  private remember(jti: string, now: number): void {
    this.seen.set(jti, now + seenTtlMs);
    for (const [key, until] of this.seen) {
      if (until > now) {
        break;
      }
      this.seen.delete(key);
    }
  }

  private authorised(header: string | null): boolean {
    const expected = this.options.authorization;
    if (expected === undefined) {
      return true;
    }
    const given = Buffer.from(header ?? '');
    const wanted = Buffer.from(expected);
    return given.length === wanted.length && timingSafeEqual(given, wanted);
  }

  /** The transmitter's keys, found from its SSF configuration metadata (SSF 1.0 §7.1). */
  private async keys(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    if (this.keySet === undefined) {
      const url = `${this.options.transmitter}/.well-known/ssf-configuration`;
      const parsed = transmitterSchema.safeParse(await fetchJson(url, { headers: { accept: 'application/json' } }));
      if (!parsed.success || parsed.data.issuer !== this.options.transmitter) {
        throw new AuthorizationServerUnavailableError(`${url} is not this transmitter's SSF configuration`);
      }
      this.keySet = createRemoteJWKSet(new URL(parsed.data.jwks_uri));
    }
    return this.keySet;
  }
}

/** RFC 8935 §2.3: the error the transmitter logs; 400 is not retried, 503 is. */
function rejection(error: unknown): Response {
  if (error instanceof AuthorizationServerUnavailableError) {
    return Response.json({ err: 'temporarily_unavailable', description: 'The transmitter could not be consulted; retry' }, { status: 503, headers: { 'retry-after': '5' } });
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') {
      return setError(400, 'invalid_issuer', 'The SET is not from the transmitter this receiver trusts');
    }
    if (error.claim === 'aud') {
      return setError(400, 'invalid_audience', 'The SET is not addressed to this receiver');
    }
    return setError(400, 'invalid_request', `The SET's "${error.claim}" is not acceptable`);
  }
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JOSEAlgNotAllowed) {
    return setError(400, 'invalid_key', 'The SET is not signed by a key of the transmitter');
  }
  if (error instanceof errors.JOSEError) {
    return setError(400, 'invalid_request', 'The body is not a valid SET');
  }
  // The key set could not be fetched: the transmitter is the one to retry.
  return Response.json({ err: 'temporarily_unavailable', description: "The transmitter's keys could not be fetched; retry" }, { status: 503, headers: { 'retry-after': '5' } });
}

function setError(status: number, err: SetError, description: string): Response {
  return Response.json({ err, description }, { status });
}
