export { apiTokensResource } from './api-tokens.resource.ts';
