export { groupsResource } from './groups.resource.ts';
