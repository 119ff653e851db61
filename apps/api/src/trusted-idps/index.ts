export { IdTokenVerifier } from './id-token-verifier.service.ts';
export { trustedIdpsResource } from './trusted-idps.resource.ts';
export { TrustedIdpsModule } from './trusted-idps.module.ts';
