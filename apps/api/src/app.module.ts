/** The composition root: feature modules and the global guard, nothing else. */
import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';

import type { Config } from '@crossgate/config';
import { ConnectionLadderRepository, DashboardRepository, IssuedTokenRepository, type PrismaClient } from '@crossgate/store';
import { RemoteJwksCache } from '@crossgate/token';

import { AccessReviewExport, AccessReviewRemediation, AccessReviewsController, AccessReviewsService } from './access-reviews/index.ts';
import { adminResources } from './admin-resources.ts';
import { AuditController, AuditService } from './audit/index.ts';
import { AccessControl, AdminSsoService, AuthController, AuthGuard, AuthService, SignInThrottle } from './auth/index.ts';
import { ClientSecretController, ClientSecretService } from './clients/index.ts';
import { ConnectionCredentialController, ConnectionCredentialService, ConnectionRotationController, ConnectionRotationService, ConnectionsLadderController, ConnectionsLadderService, PairConnections } from './connections/index.ts';
import { crudController, CrudService } from './crud/index.ts';
import { EffectiveAccessController, EffectiveAccessService } from './effective-access/index.ts';
import { HealthController } from './health/index.ts';
import { ProblemFilter } from './http/index.ts';
import { ClientAuthenticator, IssuanceRecorder, OAuthModule, TokenEndpoint, TokenExchangeServices } from './oauth/index.ts';
import { IdTokenVerifier } from './trusted-idps/index.ts';
import { Clock, CONFIG, PlatformModule, PRISMA } from './platform/index.ts';
import { SigningKeysModule } from './signing-keys/index.ts';
import { stsControllers, stsProviders } from './sts/index.ts';
import { PolicyApprovalsController, PolicyApprovalsService, PolicyEngineService, PolicySimulationController, PolicySimulationService } from './policies/index.ts';
import { PolicySetController, PolicySetService } from './policy-set/index.ts';
import { DashboardController, DashboardService } from './dashboard/index.ts';
import { SearchController, SearchService } from './search/index.ts';
import { ScimAuthGuard, ScimController, ScimService, ScimTokenController, ScimTokenService } from './scim/index.ts';
import { UserProvisioningService } from './users/index.ts';
import { KillSwitchesModule } from './kill-switches/index.ts';
import { MetricsController, MetricsService } from './metrics/index.ts';
import { SsfModule } from './ssf/index.ts';
import { AssertionRedemptions, JwtBearerServices, RasAccessTokens, RasDiscoveryController, RasEndpoints, RasKeysService } from './ras/index.ts';
import { GatewayEndpoints, ToolCallApprovalsController, ToolCallApprovalsService } from './gateway/index.ts';

@Module({})
export class AppModule {
  static forRoot(config: Config, clock?: Clock): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot(config, clock), OAuthModule, SigningKeysModule, KillSwitchesModule, SsfModule],
      controllers: [
        HealthController,
        AuthController,
        AuditController,
        PolicySimulationController,
        PolicySetController,
        PolicyApprovalsController,
        ToolCallApprovalsController,
        EffectiveAccessController,
        AccessReviewsController,
        SearchController,
        DashboardController,
        ConnectionsLadderController,
        ClientSecretController,
        ConnectionCredentialController,
        ConnectionRotationController,
        RasDiscoveryController,
        ScimTokenController,
        ScimController,
        ...adminResources.map((resource) => crudController(resource)),
        ...stsControllers,
        ...(config.metrics.apiEnabled ? [MetricsController] : []),
      ],
      providers: [
        AccessControl,
        AuthService,
        AdminSsoService,
        SignInThrottle,
        CrudService,
        AuditService,
        PolicyEngineService,
        PolicySimulationService,
        PolicySetService,
        PolicyApprovalsService,
        EffectiveAccessService,
        AccessReviewsService,
        AccessReviewRemediation,
        AccessReviewExport,
        SearchService,
        DashboardService,
        ConnectionsLadderService,
        TokenEndpoint,
        ClientSecretService,
        ConnectionCredentialService,
        ConnectionRotationService,
        ClientAuthenticator,
        IdTokenVerifier,
        TokenExchangeServices,
        PairConnections,
        IssuanceRecorder,
        UserProvisioningService,
        ScimTokenService,
        ScimService,
        ScimAuthGuard,
        RasKeysService,
        RasEndpoints,
        GatewayEndpoints,
        ToolCallApprovalsService,
        RasAccessTokens,
        AssertionRedemptions,
        JwtBearerServices,
        { provide: ConnectionLadderRepository, inject: [PRISMA], useFactory: (prisma: PrismaClient) => new ConnectionLadderRepository(prisma) },
        { provide: DashboardRepository, inject: [PRISMA], useFactory: (prisma: PrismaClient) => new DashboardRepository(prisma) },
        ...stsProviders,
        { provide: IssuedTokenRepository, inject: [PRISMA], useFactory: (prisma: PrismaClient) => new IssuedTokenRepository(prisma) },
        {
          // One cache of remote key sets (IdPs' and clients' jwks_uri): one fetch per URL, one cooldown.
          provide: RemoteJwksCache,
          inject: [CONFIG, Clock],
          // Loopback http JWKS URIs only outside production (local development and tests).
          useFactory: (config: Config, clock: Clock) => new RemoteJwksCache({ allowInsecureLoopback: config.environment !== 'production', clock }),
        },
        ...(config.metrics.apiEnabled ? [MetricsService] : []),
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
    };
  }
}
