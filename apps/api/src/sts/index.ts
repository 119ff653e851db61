export { oauthProvidersResource } from './oauth-providers.resource.ts';
export { StsBroker } from './sts-broker.service.ts';
export { stsConsentsResource } from './sts-consents.resource.ts';
export { StsModule } from './sts.module.ts';
