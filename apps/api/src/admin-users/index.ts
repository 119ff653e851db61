export { adminUsersResource } from './admin-users.resource.ts';
