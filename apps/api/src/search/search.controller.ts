import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';

import { Authorize, Context, type RequestContext } from '../auth/index.ts';
import { type SearchResult, SearchService } from './search.service.ts';

@ApiTags('search')
@Controller('api/search')
export class SearchController {
  constructor(private readonly searchService: SearchService) {}

  /** A plain JSON object, not a react-admin list: a few hits of each kind, never paged. */
  @Get()
  @Authorize('users:read')
  @ApiOperation({ summary: 'Users, groups, clients, resources and connections whose name contains q, at most 5 of each kind the caller may read' })
  @ApiQuery({ name: 'q', required: true })
  search(@Query() query: Record<string, unknown>, @Context() context: RequestContext): Promise<SearchResult> {
    return this.searchService.search(query, context.principal);
  }
}
