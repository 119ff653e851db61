export { resourcesResource } from './resources.resource.ts';
