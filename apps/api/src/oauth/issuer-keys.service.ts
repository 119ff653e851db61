/**
 * @overview The IdP role's signing keys as the protocol surface needs them: an active key exists
 * before the first request (every instance ensures it at start; the repository serialises them), and
 * the public JWK Set lists what verifiers may meet.
 * @see RFC 7517 §5 (JWK Set)
 */
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { JSONWebKeySet } from 'jose';

import type { Config } from '@crossgate/config';
import { type SigningKeyRecord, SigningKeyRepository } from '@crossgate/store';
import { buildPublicJwks, type PublishableKey } from '@crossgate/token';

import { Clock, InjectConfig } from '../platform/index.ts';

/** The role whose keys sign ID-JAGs; resource-side authorization servers get `ras:<slug>` roles. */
export const idpRole = 'idp';

function toPublishable(key: SigningKeyRecord): PublishableKey {
  return key.state === 'retired'
    ? { publicJwk: key.publicJwk, state: 'retired', expiresAt: key.publishUntil ?? new Date(0) }
    : { publicJwk: key.publicJwk, state: key.state };
}

@Injectable()
export class IssuerKeysService implements OnModuleInit {
  constructor(
    @Inject(SigningKeyRepository) private readonly keys: SigningKeyRepository,
    @InjectConfig() private readonly config: Config,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.keys.ensureActive(idpRole, this.config.keys.signingAlg, this.clock.now());
  }

  /** The public keys of `role`: active first, then next, then retired ones still in their window. */
  async jwks(role: string): Promise<JSONWebKeySet> {
    const now = this.clock.now();
    return buildPublicJwks((await this.keys.publishable(role, now)).map(toPublishable), now);
  }
}
