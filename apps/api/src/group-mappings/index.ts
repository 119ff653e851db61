export { groupMappingsResource } from './group-mappings.resource.ts';
