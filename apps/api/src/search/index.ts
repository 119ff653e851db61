export { SearchController } from './search.controller.ts';
export { searchLimitPerKind, type SearchResult, SearchService } from './search.service.ts';
export { SearchModule } from './search.module.ts';
