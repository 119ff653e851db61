export { AdminApiError } from './admin-api.error.ts';
export { contains, contentRange, equals, instant, type ListSpec, parseListQuery, type RawListQuery } from './list-query.ts';
export { OAuthErrorFilter, oauthErrorReply } from './oauth-error.filter.ts';
export { OAuthError, type OAuthErrorCode, oauthErrorStatus } from './oauth.error.ts';
export { ProblemFilter } from './problem.filter.ts';
export { type IdentifiedRequest, requestId, requestIdOf } from './request-id.ts';
export { observeRequests } from './request-observer.ts';
export { fieldErrorsOf, parseBody } from './validation.ts';
export { HttpModule } from './http.module.ts';
