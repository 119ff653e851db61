/** The whole policy set as one document (policy as code): export, validate, apply. */
import { Module } from '@nestjs/common';

import { AuthModule } from '../auth/index.ts';
import { CrudModule } from '../crud/index.ts';
import { PoliciesModule } from '../policies/index.ts';
import { PolicySetController } from './policy-set.controller.ts';
import { PolicySetService } from './policy-set.service.ts';

@Module({ imports: [CrudModule, PoliciesModule, AuthModule], controllers: [PolicySetController], providers: [PolicySetService] })
export class PolicySetModule {}
