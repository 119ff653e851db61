/** The composition root: feature modules and the global guard, nothing else. */
import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';

import type { Config } from '@crossgate/config';
import { ConnectionLadderRepository, DashboardRepository, IssuedTokenRepository, type PrismaClient } from '@crossgate/store';
import { RemoteJwksCache } from '@crossgate/token';

import { AccessReviewExport } from './access-reviews/access-review-export.service.ts';
import { AccessReviewRemediation } from './access-reviews/access-review-remediation.service.ts';
import { AccessReviewsController } from './access-reviews/access-reviews.controller.ts';
import { AccessReviewsService } from './access-reviews/access-reviews.service.ts';
import { adminResources } from './admin-resources.ts';
import { AuditController } from './audit/audit.controller.ts';
import { AuditService } from './audit/audit.service.ts';
import { AccessControl } from './auth/access-control.ts';
import { AuthController } from './auth/auth.controller.ts';
import { AuthGuard } from './auth/auth.guard.ts';
import { AdminSsoService } from './auth/admin-sso.service.ts';
import { AuthService } from './auth/auth.service.ts';
import { SignInThrottle } from './auth/sign-in-throttle.ts';
import { ClientSecretController } from './clients/client-secret.controller.ts';
import { ClientSecretService } from './clients/client-secret.service.ts';
import { ConnectionsLadderController } from './connections/connections-ladder.controller.ts';
import { ConnectionsLadderService } from './connections/connections-ladder.service.ts';
import { ConnectionCredentialController } from './connections/connection-credential.controller.ts';
import { ConnectionCredentialService } from './connections/connection-credential.service.ts';
import { ConnectionRotationController } from './connections/connection-rotation.controller.ts';
import { ConnectionRotationService } from './connections/connection-rotation.service.ts';
import { crudController } from './crud/crud.controller.ts';
import { CrudService } from './crud/crud.service.ts';
import { EffectiveAccessController } from './effective-access/effective-access.controller.ts';
import { EffectiveAccessService } from './effective-access/effective-access.service.ts';
import { HealthController } from './health/health.controller.ts';
import { ProblemFilter } from './http/problem.filter.ts';
import { OAuthModule } from './oauth/oauth.module.ts';
import { ClientAuthenticator } from './oauth/client-authentication/client-authenticator.ts';
import { TokenExchangeServices } from './oauth/grants/token-exchange.grant.ts';
import { IssuanceRecorder } from './oauth/issuance-recorder.service.ts';
import { IdTokenVerifier } from './oauth/id-token-verifier.service.ts';
import { TokenEndpoint } from './oauth/token-endpoint.ts';
import { CONFIG, Clock, PlatformModule, PRISMA } from './platform/platform.module.ts';
import { SigningKeysModule } from './signing-keys/signing-keys.module.ts';
import { stsControllers, stsProviders } from './sts/sts.providers.ts';
import { PolicyApprovalsController } from './policies/policy-approvals.controller.ts';
import { PolicyApprovalsService } from './policies/policy-approvals.service.ts';
import { PolicyEngineService } from './policies/policy-engine.service.ts';
import { PolicySetController } from './policies/policy-set.controller.ts';
import { PolicySetService } from './policies/policy-set.service.ts';
import { PolicySimulationController } from './policies/policy-simulation.controller.ts';
import { PolicySimulationService } from './policies/policy-simulation.service.ts';
import { DashboardController } from './dashboard/dashboard.controller.ts';
import { DashboardService } from './dashboard/dashboard.service.ts';
import { SearchController } from './search/search.controller.ts';
import { ScimAuthGuard } from './scim/scim-auth.guard.ts';
import { ScimTokenController } from './scim/scim-token.controller.ts';
import { ScimTokenService } from './scim/scim-token.service.ts';
import { ScimController } from './scim/scim.controller.ts';
import { ScimService } from './scim/scim.service.ts';
import { SearchService } from './search/search.service.ts';
import { UserProvisioningService } from './users/user-provisioning.service.ts';
import { KillSwitchesModule } from './kill-switches/kill-switches.module.ts';
import { MetricsController } from './metrics/metrics.controller.ts';
import { MetricsService } from './metrics/metrics.service.ts';
import { SsfModule } from './ssf/ssf.module.ts';
import { RasAccessTokens } from './ras/access-tokens.service.ts';
import { AssertionRedemptions } from './ras/assertion-redemptions.service.ts';
import { JwtBearerServices } from './ras/grants/jwt-bearer.grant.ts';
import { RasKeysService } from './ras/ras-keys.service.ts';
import { RasDiscoveryController } from './ras/ras-discovery.controller.ts';
import { GatewayEndpoints } from './gateway/gateway-endpoints.ts';
import { ToolCallApprovalsController } from './gateway/tool-call-approvals.controller.ts';
import { ToolCallApprovalsService } from './gateway/tool-call-approvals.service.ts';
import { RasEndpoints } from './ras/ras-endpoints.ts';

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
