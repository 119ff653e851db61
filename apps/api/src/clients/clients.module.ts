/** Requesting apps and agents: their client secret (the CRUD is the admin resource). */
import { Module } from '@nestjs/common';

import { PoliciesModule } from '../policies/index.ts';
import { ClientSecretController } from './client-secret.controller.ts';
import { ClientSecretService } from './client-secret.service.ts';

@Module({ imports: [PoliciesModule], controllers: [ClientSecretController], providers: [ClientSecretService] })
export class ClientsModule {}
