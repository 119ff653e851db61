/**
 * @overview The state of the access tokens the resource-side authorization servers issued, as
 * introspection (RFC 7662) and revocation (RFC 7009) need it.
 *
 * - A token is active only when it verifies against its issuer's own keys (`typ` `at+jwt`), has not
 *   expired, was recorded at issuance (IssuedToken), is not revoked, its client is still active and
 *   no kill switch covers its user, client, IdP, resource or app pair. Anything unknown, and any
 *   store that cannot be read, answers inactive (fail closed).
 * - Revocation is written to PostgreSQL (`revoked_at`, the truth) and then to the coordination port
 *   (a key per `jti`, until the token expires), which every instance reads on every introspection:
 *   visible at once, everywhere. The port holds a marker, set after its revoked keys were rebuilt
 *   from PostgreSQL; when the marker is missing (Redis restarted empty or was flushed), the set is
 *   rebuilt before the next answer, so losing Redis never un-revokes a token.
 * - What never changes about a token is kept per instance: its verified claims, by the SHA-256 of
 *   the whole token (so a cached answer is only ever for the exact bytes verified), and the user
 *   and IdP its record names.
 */
import { createHash } from 'node:crypto';

import { Inject, Injectable, Logger } from '@nestjs/common';

import { Coordination } from '@crossgate/coordination';
import { IssuedTokenRepository } from '@crossgate/store';
import { type AccessTokenClaims, signingAlgorithms, TokenError, verifyAccessToken } from '@crossgate/token';

import { KillSwitchGate } from '../kill-switches/index.ts';
import { type DirectoryResourceRow, PolicyEngineService, servingSnapshot } from '../policies/index.ts';
import { Clock } from '../platform/index.ts';
import { rasKeyRole } from './ras-issuer.ts';
import { RasKeysService } from './ras-keys.service.ts';

/** The coordination key that marks the access token `jti` as revoked. */
export const revokedKeyOf = (jti: string) => `ras:revoked:${jti}`;
/** Present once the revoked keys were rebuilt from PostgreSQL since the port last lost its data. */
export const revokedSetReadyKey = 'ras:revoked-set-ready';
/** Bounds on the per-instance caches; the oldest entry goes first. */
const maxCachedTokens = 100_000;

/** Why a token is not active, for the audit log (the caller only ever learns `active: false`). */
export type InactiveReason = 'invalid' | 'expired' | 'other_resource' | 'unknown' | 'revoked' | 'client_inactive' | 'killed' | 'unavailable';

export type TokenStatus = { active: true; claims: AccessTokenClaims; userId: string | null; clientRowId: string } | { active: false; reason: InactiveReason; claims?: AccessTokenClaims };

interface TokenSubjects {
  userId: string | null;
  idpId: string | null;
  /** When it was issued, to the millisecond (`iat` has whole seconds). */
  issuedAt: Date;
}

function remember<K, V>(cache: Map<K, V>, key: K, value: V): void {
  if (cache.size >= maxCachedTokens) {
    cache.delete(cache.keys().next().value as K);
  }
  cache.set(key, value);
}

@Injectable()
export class RasAccessTokens {
  private readonly logger = new Logger('ras-access-tokens');
  private readonly verified = new Map<string, AccessTokenClaims>();
  private readonly subjects = new Map<string, TokenSubjects>();
  private rebuilding: Promise<void> | undefined;

  constructor(
    @Inject(IssuedTokenRepository) private readonly issuedTokens: IssuedTokenRepository,
    @Inject(Coordination) private readonly coordination: Coordination,
    @Inject(RasKeysService) private readonly keys: RasKeysService,
    @Inject(KillSwitchGate) private readonly killSwitches: KillSwitchGate,
    @Inject(PolicyEngineService) private readonly policyEngine: PolicyEngineService,
    private readonly clock: Clock,
  ) {}

  /** The claims of a token this issuer signed for this resource, or why not (expiry aside). */
  async verify(resource: DirectoryResourceRow, issuer: string, token: string): Promise<AccessTokenClaims | InactiveReason> {
    const digest = createHash('sha256').update(issuer).update('\n').update(token).digest('base64url');
    let claims = this.verified.get(digest);
    if (claims === undefined) {
      try {
        claims = await verifyAccessToken(token, {
          issuer,
          keys: await this.keys.verificationKeys(rasKeyRole(resource.slug)),
          algorithms: signingAlgorithms,
          // Expiry is checked below on every call, against the same clock; a cached claim set must outlive one check.
          now: new Date(0),
        });
      } catch (error) {
        if (error instanceof TokenError) {
          return error.code === 'keys_unavailable' ? 'unavailable' : 'invalid';
        }
        throw error;
      }
      remember(this.verified, digest, claims);
    }
    if (!resource.resourceIndicators.includes(claims.aud)) {
      return 'other_resource';
    }
    return claims;
  }

  /** Whether the token is active now, and for whom. */
  async status(resource: DirectoryResourceRow, issuer: string, token: string): Promise<TokenStatus> {
    const verified = await this.verify(resource, issuer, token);
    if (typeof verified === 'string') {
      return { active: false, reason: verified };
    }
    const claims = verified;
    if (claims.exp * 1000 <= this.clock.now().getTime()) {
      return { active: false, reason: 'expired', claims };
    }
    try {
      const subjects = await this.subjectsOf(claims.jti);
      if (subjects === null) {
        return { active: false, reason: 'unknown', claims };
      }
      if (await this.isRevoked(claims.jti)) {
        return { active: false, reason: 'revoked', claims };
      }
      const client = servingSnapshot(this.policyEngine).directory.client(claims.client_id);
      if (client === undefined) {
        return { active: false, reason: 'client_inactive', claims };
      }
      const killSwitch = await this.killSwitches.killing(
        { userId: subjects.userId ?? '', clientId: client.id, idpId: subjects.idpId ?? '', resourceId: resource.id, xaa: true },
        subjects.issuedAt,
      );
      if (killSwitch !== null) {
        return { active: false, reason: 'killed', claims };
      }
      return { active: true, claims, userId: subjects.userId, clientRowId: client.id };
    } catch (cause) {
      this.logger.warn(`Token state cannot be read, so the token is reported inactive: ${cause instanceof Error ? cause.message : String(cause)}`);
      return { active: false, reason: 'unavailable', claims };
    }
  }

  /**
   * Revokes the token (durably first, then for every instance's introspection). Resolves once both
   * are written; rejects when either could not be.
   */
  async revoke(claims: AccessTokenClaims): Promise<void> {
    const now = this.clock.now();
    await this.issuedTokens.revoke(claims.jti, now);
    const ttlMs = Math.max(claims.exp * 1000 - now.getTime(), 1000);
    await this.coordination.put(revokedKeyOf(claims.jti), '1', ttlMs);
  }

  private async subjectsOf(jti: string): Promise<TokenSubjects | null> {
    const cached = this.subjects.get(jti);
    if (cached !== undefined) {
      return cached;
    }
    const row = await this.issuedTokens.accessTokenSubjects(jti);
    if (row === null) {
      return null;
    }
    const subjects = { userId: row.userId, idpId: row.idpId, issuedAt: row.issuedAt };
    remember(this.subjects, jti, subjects);
    return subjects;
  }

  private async isRevoked(jti: string): Promise<boolean> {
    const [ready, revoked] = await this.coordination.getMany([revokedSetReadyKey, revokedKeyOf(jti)]);
    if (revoked !== null) {
      return true;
    }
    if (ready !== null) {
      return false;
    }
    await this.rebuildRevokedSet();
    return (await this.coordination.get(revokedKeyOf(jti))) !== null;
  }

  /** Copies every unexpired revocation from PostgreSQL into the port, then sets the marker; one at a time per instance. */
  private rebuildRevokedSet(): Promise<void> {
    this.rebuilding ??= (async () => {
      try {
        const now = this.clock.now();
        const revoked = await this.issuedTokens.revokedUnexpired('access_token', now);
        await this.coordination.putMany(
          revoked.map((token) => ({ key: revokedKeyOf(token.jti), value: '1', ttlMs: Math.max(token.expiresAt.getTime() - now.getTime(), 1000) })),
        );
        // Only once every revoked key is in: a marker written first could vouch for a partial set.
        await this.coordination.put(revokedSetReadyKey, String(now.getTime()));
        this.logger.log(`Rebuilt the revoked access-token set from PostgreSQL (${revoked.length} tokens)`);
      } finally {
        this.rebuilding = undefined;
      }
    })();
    return this.rebuilding;
  }
}
