/** The composition root: the feature modules, each wiring its own controllers and providers, and the admin resources' CRUD controllers last. */
import { type DynamicModule, Module } from '@nestjs/common';

import type { Config } from '@crossgate/config';

import { AccessReviewsModule } from './access-reviews/index.ts';
import { adminResources } from './admin-resources.ts';
import { AuditModule } from './audit/index.ts';
import { AuthModule } from './auth/index.ts';
import { ClientsModule } from './clients/index.ts';
import { ConnectionsModule } from './connections/index.ts';
import { CrudControllersModule } from './crud/index.ts';
import { DashboardModule } from './dashboard/index.ts';
import { EffectiveAccessModule } from './effective-access/index.ts';
import { GatewayModule } from './gateway/index.ts';
import { HealthModule } from './health/index.ts';
import { HttpModule } from './http/index.ts';
import { KillSwitchesModule } from './kill-switches/index.ts';
import { MetricsModule } from './metrics/index.ts';
import { OAuthModule } from './oauth/index.ts';
import { type Clock, PlatformModule } from './platform/index.ts';
import { PoliciesModule } from './policies/index.ts';
import { PolicySetModule } from './policy-set/index.ts';
import { RasModule } from './ras/index.ts';
import { ScimModule } from './scim/index.ts';
import { SearchModule } from './search/index.ts';
import { SigningKeysModule } from './signing-keys/index.ts';
import { SsfModule } from './ssf/index.ts';
import { StsModule } from './sts/index.ts';
import { TrustedIdpsModule } from './trusted-idps/index.ts';
import { UsersModule } from './users/index.ts';

@Module({})
export class AppModule {
  static forRoot(config: Config, clock?: Clock): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot(config, clock),
        HttpModule,
        HealthModule,
        AuthModule,
        AuditModule,
        PoliciesModule,
        PolicySetModule,
        GatewayModule,
        EffectiveAccessModule,
        AccessReviewsModule,
        SearchModule,
        DashboardModule,
        ConnectionsModule,
        ClientsModule,
        RasModule,
        ScimModule,
        StsModule,
        UsersModule,
        TrustedIdpsModule,
        OAuthModule,
        SigningKeysModule,
        KillSwitchesModule,
        SsfModule,
        ...(config.metrics.apiEnabled ? [MetricsModule] : []),
        CrudControllersModule.forResources(adminResources),
      ],
    };
  }
}
