/** Every admin resource served by the generic CRUD controller: the map of the admin API. */
import { adminUsersResource } from './admin-users/index.ts';
import { apiTokensResource } from './api-tokens/index.ts';
import { clientRegistrationsResource } from './client-registrations/index.ts';
import { clientsResource } from './clients/index.ts';
import { connectionsResource } from './connections/index.ts';
import type { AdminResource } from './crud/index.ts';
import { groupMappingsResource } from './group-mappings/index.ts';
import { groupsResource } from './groups/index.ts';
import { membershipsResource } from './memberships/index.ts';
import { policiesResource } from './policies/index.ts';
import { rasTrustedIssuersResource } from './ras/index.ts';
import { resourcesResource } from './resources/index.ts';
import { oauthProvidersResource, stsConsentsResource } from './sts/index.ts';
import { trustedIdpsResource } from './trusted-idps/index.ts';
import { usersResource } from './users/index.ts';

export const adminResources: readonly AdminResource[] = [
  trustedIdpsResource,
  usersResource,
  groupsResource,
  membershipsResource,
  clientsResource,
  resourcesResource,
  clientRegistrationsResource,
  rasTrustedIssuersResource,
  policiesResource,
  groupMappingsResource,
  connectionsResource,
  oauthProvidersResource,
  stsConsentsResource,
  adminUsersResource,
  apiTokensResource,
];
