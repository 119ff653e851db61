export { PolicySetController } from './policy-set.controller.ts';
export { type PolicySetDocument, PolicySetService } from './policy-set.service.ts';
export { PolicySetModule } from './policy-set.module.ts';
