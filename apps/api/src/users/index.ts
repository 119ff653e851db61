export { type ProvisionedUser, UserProvisioningService } from './user-provisioning.service.ts';
export { usersResource } from './users.resource.ts';
export { UsersModule } from './users.module.ts';
