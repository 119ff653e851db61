export { ClientSecretController } from './client-secret.controller.ts';
export { ClientSecretService } from './client-secret.service.ts';
export { clientsResource } from './clients.resource.ts';
export { ClientsModule } from './clients.module.ts';
