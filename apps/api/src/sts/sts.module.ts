/** The STS pattern: consent pages, the admin view of consents, and the broker the token exchange asks for upstream tokens. */
import { Module } from '@nestjs/common';

import { PoliciesModule } from '../policies/index.ts';
import { TrustedIdpsModule } from '../trusted-idps/index.ts';
import { StsBroker } from './sts-broker.service.ts';
import { StsConsentService } from './sts-consent.service.ts';
import { StsConsentsController } from './sts-consents.controller.ts';
import { StsController } from './sts.controller.ts';

@Module({
  imports: [PoliciesModule, TrustedIdpsModule],
  controllers: [StsController, StsConsentsController],
  providers: [StsConsentService, StsBroker],
  exports: [StsBroker],
})
export class StsModule {}
