export { RasAccessTokens, revokedKeyOf, revokedSetReadyKey } from './access-tokens.service.ts';
export { AssertionRedemptions } from './assertion-redemptions.service.ts';
export { JwtBearerServices } from './grants/jwt-bearer.grant.ts';
export { RasDiscoveryController } from './ras-discovery.controller.ts';
export { assertResourceServer, type AuthorizationServer, RasEndpoints, rasFormEndpoints, type RequestItem, type TokenRequestContext, type TokenRequestTrail } from './ras-endpoints.ts';
export { rasIssuer } from './ras-issuer.ts';
export { RasKeysService } from './ras-keys.service.ts';
export { rasTrustedIssuersResource } from './ras-trusted-issuers.resource.ts';
export { RasModule } from './ras.module.ts';
