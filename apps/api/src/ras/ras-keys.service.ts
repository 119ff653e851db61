/**
 * @overview The signing keys of the resource-side authorization servers, one role per protected
 * resource (`ras:<slug>`, ES256 by default), distinct from the IdP role's ID-JAG key. A role's first
 * key is created on demand, the first time that authorization server signs or publishes (the
 * repository serialises instances that race for it); it is then rotated like the IdP key
 * (`POST /api/signing-keys/rotate` with the role).
 *
 * Introspection verifies access tokens against the published key set (active, next and retired
 * keys in their window), kept per role for a few seconds: the key an instance activates at a
 * rotation is published as `next` long before, so a cached set already holds it.
 * @see RFC 7517 §5; RFC 9068 §4
 */
import { Inject, Injectable } from '@nestjs/common';
import type { JSONWebKeySet } from 'jose';

import type { Config } from '@crossgate/config';
import { SigningKeyRepository } from '@crossgate/store';
import { createPinnedKeyResolver, type JwtKeyResolver, type SigningKey } from '@crossgate/token';

import { IssuerKeysService } from '../oauth/index.ts';
import { Clock, InjectConfig } from '../platform/index.ts';

/** How long a role's published key set is reused for verification. */
const verificationKeysMaxAgeMs = 5_000;

@Injectable()
export class RasKeysService {
  /** Roles known to have an active key, and the creation under way for the others. */
  private readonly ensured = new Map<string, Promise<void>>();
  private readonly verification = new Map<string, { resolver: JwtKeyResolver; readAt: number }>();

  constructor(
    @Inject(SigningKeyRepository) private readonly keys: SigningKeyRepository,
    @InjectConfig() private readonly config: Config,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(IssuerKeysService) private readonly published: IssuerKeysService,
  ) {}

  /** The key that signs the role's access tokens, created on first use. */
  async signingKey(role: string): Promise<SigningKey> {
    await this.ensure(role);
    return this.keys.activeKey(role);
  }

  /** The role's public JWK Set (creating its first key, so a verifier never meets an empty set before the first token). */
  async jwks(role: string): Promise<JSONWebKeySet> {
    await this.ensure(role);
    return this.published.jwks(role);
  }

  /** A resolver over the role's published keys, for verifying its own access tokens. */
  async verificationKeys(role: string): Promise<JwtKeyResolver> {
    const cached = this.verification.get(role);
    if (cached !== undefined && Date.now() - cached.readAt < verificationKeysMaxAgeMs) {
      return cached.resolver;
    }
    const resolver = createPinnedKeyResolver(await this.jwks(role));
    this.verification.set(role, { resolver, readAt: Date.now() });
    return resolver;
  }

  private ensure(role: string): Promise<void> {
    let ensuring = this.ensured.get(role);
    if (ensuring === undefined) {
      ensuring = this.keys.ensureActive(role, this.config.keys.signingAlg, this.clock.now()).then(() => undefined);
      // A failure is not remembered: the next request tries again.
      ensuring.catch(() => this.ensured.delete(role));
      this.ensured.set(role, ensuring);
    }
    return ensuring;
  }
}
