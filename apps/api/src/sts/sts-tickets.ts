/**
 * @overview Short-lived, single-use values of the consent flow, held in Redis so every API instance
 * sees them: the consent ticket in a consent URI (bound to one user and connection), and the
 * authorization request's `state` (with its PKCE verifier and nonce). Only a hash of the value names
 * the key, so Redis never holds a usable ticket or state; GETDEL makes each redeemable once.
 *
 * @see RFC 6749 §10.12 (state), RFC 7636 (PKCE)
 */
import { createHash, randomBytes } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';

import { InjectRedis } from '../platform/platform.module.ts';

/** How long a consent URI, and then the authorization request it starts, stay usable. */
export const consentTicketTtlSeconds = 600;

export type TicketKind = 'consent' | 'state';

/** 256 bits from the CSPRNG, base64url: unguessable, and safe in a URL. */
export function randomTicket(): string {
  return randomBytes(32).toString('base64url');
}

function keyOf(kind: TicketKind, value: string): string {
  return `sts:${kind}:${createHash('sha256').update(value).digest('base64url')}`;
}

@Injectable()
export class StsTickets {
  constructor(@InjectRedis() private readonly redis: Redis) {}

  async put(kind: TicketKind, value: string, payload: object, ttlSeconds = consentTicketTtlSeconds): Promise<void> {
    await this.redis.set(keyOf(kind, value), JSON.stringify(payload), 'EX', ttlSeconds);
  }

  /** The payload once; null for a value never issued, already used or expired. */
  async take<T>(kind: TicketKind, value: string): Promise<T | null> {
    if (value.length === 0 || value.length > 256) {
      return null;
    }
    const stored = await this.redis.getdel(keyOf(kind, value));
    return stored === null ? null : (JSON.parse(stored) as T);
  }
}
