export { type AdminResource, commonReadOnlyFields, defaultOperations, type WriteContext } from './admin-resource.ts';
export { crudController } from './crud.controller.ts';
export { CrudService } from './crud.service.ts';
export { bumpPolicyVersion } from './policy-version.ts';
export * as field from './fields.ts';
export { CrudControllersModule, CrudModule } from './crud.module.ts';
