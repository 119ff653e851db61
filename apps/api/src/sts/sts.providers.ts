/** The STS pattern's controllers and services, for the composition root. */
import { StsBroker } from './sts-broker.service.ts';
import { StsConsentService } from './sts-consent.service.ts';
import { StsConsentsController } from './sts-consents.controller.ts';
import { StsController } from './sts.controller.ts';
import { StsTickets } from '../platform/index.ts';

export const stsControllers = [StsController, StsConsentsController];
export const stsProviders = [
  StsTickets,
  StsConsentService,
  StsBroker,
];
