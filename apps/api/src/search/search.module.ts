/** The admin console's search across resources. */
import { Module } from '@nestjs/common';

import { AuthModule } from '../auth/index.ts';
import { CrudModule } from '../crud/index.ts';
import { SearchController } from './search.controller.ts';
import { SearchService } from './search.service.ts';

@Module({ imports: [AuthModule, CrudModule], controllers: [SearchController], providers: [SearchService] })
export class SearchModule {}
