/** The resource-side authorization server: discovery, the jwt-bearer grant, access tokens and their introspection. */
import { Module } from '@nestjs/common';

import { IssuedTokenRepository, type PrismaClient } from '@crossgate/store';

import { KillSwitchesModule } from '../kill-switches/index.ts';
import { OAuthModule } from '../oauth/index.ts';
import { PRISMA } from '../platform/index.ts';
import { PoliciesModule } from '../policies/index.ts';
import { TrustedIdpsModule } from '../trusted-idps/index.ts';
import { RasAccessTokens } from './access-tokens.service.ts';
import { AssertionRedemptions } from './assertion-redemptions.service.ts';
import { JwtBearerServices } from './grants/jwt-bearer.grant.ts';
import { RasDiscoveryController } from './ras-discovery.controller.ts';
import { RasEndpoints } from './ras-endpoints.ts';
import { RasKeysService } from './ras-keys.service.ts';

@Module({
  imports: [KillSwitchesModule, OAuthModule, PoliciesModule, TrustedIdpsModule],
  controllers: [RasDiscoveryController],
  providers: [
    RasKeysService,
    RasEndpoints,
    RasAccessTokens,
    AssertionRedemptions,
    JwtBearerServices,
    { provide: IssuedTokenRepository, inject: [PRISMA], useFactory: (prisma: PrismaClient) => new IssuedTokenRepository(prisma) },
  ],
  exports: [RasEndpoints, RasAccessTokens],
})
export class RasModule {}
