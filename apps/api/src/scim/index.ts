export { ScimAuthGuard } from './scim-auth.guard.ts';
export { scimJsonBody, scimPath } from './scim-body.ts';
export { ScimTokenController } from './scim-token.controller.ts';
export { ScimTokenService } from './scim-token.service.ts';
export { ScimController } from './scim.controller.ts';
export { ScimService } from './scim.service.ts';
export { ScimModule } from './scim.module.ts';
