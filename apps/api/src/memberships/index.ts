export { membershipsResource } from './memberships.resource.ts';
