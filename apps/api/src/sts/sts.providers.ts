/** The STS pattern's controllers and services, for the composition root. */
import type { Config } from '@crossgate/config';
import { AuditLogRepository, OAuthProviderClients, type PrismaClient, SecretStore, StsConsentEnding } from '@crossgate/store';

import { CONFIG, PRISMA } from '../platform/platform.module.ts';
import { StsBroker } from './sts-broker.service.ts';
import { StsConsentService } from './sts-consent.service.ts';
import { StsConsentsController } from './sts-consents.controller.ts';
import { StsController } from './sts.controller.ts';
import { StsTickets } from './sts-tickets.ts';

export const stsControllers = [StsController, StsConsentsController];
export const stsProviders = [
  {
    provide: OAuthProviderClients,
    inject: [PRISMA, SecretStore, CONFIG],
    // Plain http to loopback providers only outside production: the local providers of development and tests.
    useFactory: (prisma: PrismaClient, secrets: SecretStore, config: Config) => new OAuthProviderClients(prisma, secrets, { allowInsecureLoopback: config.environment !== 'production' }),
  },
  {
    provide: StsConsentEnding,
    inject: [PRISMA, SecretStore, AuditLogRepository, OAuthProviderClients],
    useFactory: (prisma: PrismaClient, secrets: SecretStore, auditLog: AuditLogRepository, providers: OAuthProviderClients) => new StsConsentEnding(prisma, secrets, auditLog, providers),
  },
  StsTickets,
  StsConsentService,
  StsBroker,
];
