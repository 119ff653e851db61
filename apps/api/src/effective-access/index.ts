export { EffectiveAccessController } from './effective-access.controller.ts';
export { type EffectiveAccess, EffectiveAccessService } from './effective-access.service.ts';
export { EffectiveAccessModule } from './effective-access.module.ts';
