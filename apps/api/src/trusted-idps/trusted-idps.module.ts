/** Trusted IdPs: verifying their ID tokens, with the one cache of remote key sets (IdPs' and clients' jwks_uri). */
import { Module } from '@nestjs/common';

import type { Config } from '@crossgate/config';
import { RemoteJwksCache } from '@crossgate/token';

import { CONFIG, Clock } from '../platform/index.ts';
import { IdTokenVerifier } from './id-token-verifier.service.ts';

@Module({
  providers: [
    IdTokenVerifier,
    {
      // One cache: one fetch per URL, one cooldown. Loopback http JWKS URIs only outside production (local development and tests).
      provide: RemoteJwksCache,
      inject: [CONFIG, Clock],
      useFactory: (config: Config, clock: Clock) => new RemoteJwksCache({ allowInsecureLoopback: config.environment !== 'production', clock }),
    },
  ],
  exports: [IdTokenVerifier, RemoteJwksCache],
})
export class TrustedIdpsModule {}
