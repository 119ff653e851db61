/** Every admin resource served by the generic CRUD controller: the map of the admin API. */
import { adminUsersResource } from './admin-users/admin-users.resource.ts';
import { apiTokensResource } from './api-tokens/api-tokens.resource.ts';
import { clientRegistrationsResource } from './client-registrations/client-registrations.resource.ts';
import { clientsResource } from './clients/clients.resource.ts';
import { connectionsResource } from './connections/connections.resource.ts';
import type { AdminResource } from './crud/admin-resource.ts';
import { groupMappingsResource } from './group-mappings/group-mappings.resource.ts';
import { groupsResource } from './groups/groups.resource.ts';
import { membershipsResource } from './memberships/memberships.resource.ts';
import { policiesResource } from './policies/policies.resource.ts';
import { rasTrustedIssuersResource } from './ras/ras-trusted-issuers.resource.ts';
import { resourcesResource } from './resources/resources.resource.ts';
import { oauthProvidersResource } from './sts/oauth-providers.resource.ts';
import { stsConsentsResource } from './sts/sts-consents.resource.ts';
import { trustedIdpsResource } from './trusted-idps/trusted-idps.resource.ts';
import { usersResource } from './users/users.resource.ts';

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
