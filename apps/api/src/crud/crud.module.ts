/** The generic admin CRUD: its service for every feature, and one controller per admin resource the composition root lists. */
import { type DynamicModule, Module } from '@nestjs/common';

import type { AdminResource } from './admin-resource.ts';
import { crudController } from './crud.controller.ts';
import { CrudService } from './crud.service.ts';

@Module({ providers: [CrudService], exports: [CrudService] })
export class CrudModule {}

@Module({})
export class CrudControllersModule {
  static forResources(resources: readonly AdminResource[]): DynamicModule {
    return { module: CrudControllersModule, imports: [CrudModule], controllers: resources.map((resource) => crudController(resource)) };
  }
}
