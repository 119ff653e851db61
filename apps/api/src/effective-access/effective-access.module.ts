/** Who can reach what, as the policies in force say. */
import { Module } from '@nestjs/common';

import { PoliciesModule } from '../policies/index.ts';
import { EffectiveAccessController } from './effective-access.controller.ts';
import { EffectiveAccessService } from './effective-access.service.ts';

@Module({ imports: [PoliciesModule], controllers: [EffectiveAccessController], providers: [EffectiveAccessService] })
export class EffectiveAccessModule {}
