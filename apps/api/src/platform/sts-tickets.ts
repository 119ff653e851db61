/**
 * @overview Short-lived, single-use values of the consent flow (and of an admin's SSO sign-in), held by the coordination port so
 * every API instance sees them: the consent ticket in a consent URI (bound to one user and
 * connection), and the authorization request's `state` (with its PKCE verifier and nonce). Only a
 * hash of the value names the key, so the store never holds a usable ticket or state; taking a
 * value deletes it, so each is redeemable once.
 *
 * @see RFC 6749 §10.12 (state), RFC 7636 (PKCE)
 */
import { createHash, randomBytes } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';

import { Coordination } from '@crossgate/coordination';

/** How long a consent URI, and then the authorization request it starts, stay usable. */
export const consentTicketTtlSeconds = 600;

/** A consent URI's ticket, a consent's authorization `state`, or an admin SSO sign-in's `state`. */
export type TicketKind = 'consent' | 'state' | 'admin_sign_in';

/** 256 bits from the CSPRNG, base64url: unguessable, and safe in a URL. */
export function randomTicket(): string {
  return randomBytes(32).toString('base64url');
}

function keyOf(kind: TicketKind, value: string): string {
  return `sts:${kind}:${createHash('sha256').update(value).digest('base64url')}`;
}

@Injectable()
export class StsTickets {
  constructor(@Inject(Coordination) private readonly coordination: Coordination) {}

  async put(kind: TicketKind, value: string, payload: object, ttlSeconds = consentTicketTtlSeconds): Promise<void> {
    await this.coordination.put(keyOf(kind, value), JSON.stringify(payload), ttlSeconds * 1000);
  }

  /** The payload once; null for a value never issued, already used or expired. */
  async take<T>(kind: TicketKind, value: string): Promise<T | null> {
    if (value.length === 0 || value.length > 256) {
      return null;
    }
    const stored = await this.coordination.take(keyOf(kind, value));
    return stored === null ? null : (JSON.parse(stored) as T);
  }
}
