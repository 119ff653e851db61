export { clientRegistrationsResource } from './client-registrations.resource.ts';
