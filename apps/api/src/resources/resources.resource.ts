/**
 * Resource apps and MCP servers, with the catalogue of scopes they understand and what their ID-JAGs
 * say about the user: the subject type (SPEC.md §2.2 "Map `sub`") and whether the email is released.
 */
import { z } from 'zod';

import { recordStatuses, resourceKinds, scopeRisks, subjectTypes } from '@crossgate/domain';

import { type AdminResource, commonReadOnlyFields, defaultOperations } from '../crud/admin-resource.ts';
import * as field from '../crud/fields.ts';
import { contains, equals } from '../http/list-query.ts';
import { bumpPolicyVersion } from '../policies/policy-version.ts';

const scopeEntry = z.strictObject({
  name: field.scopeToken,
  description: z.string().trim().max(500).default(''),
  risk: z.enum(scopeRisks).default('low'),
});

const resourceSchema = z.strictObject({
  slug: field.slug,
  name: field.name,
  kind: z.enum(resourceKinds).default('resource_app'),
  description: field.description.optional(),
  authorizationServer: field.httpsUrl,
  resourceIndicators: field.uniqueList(field.httpsUrl, 20).min(1, 'needs at least one resource indicator'),
  scopes: z
    .array(scopeEntry)
    .max(500)
    .refine((scopes) => new Set(scopes.map((scope) => scope.name)).size === scopes.length, 'scope names must be unique')
    .default([]),
  subjectType: z.enum(subjectTypes).default('public'),
  releaseEmail: z.boolean().default(false),
  owner: field.owner,
  status: z.enum(recordStatuses).default('active'),
});

export const resourcesResource: AdminResource = {
  object: 'resources',
  model: 'resource',
  label: 'resource',
  operations: defaultOperations,
  list: {
    sortable: ['name', 'slug', 'kind', 'status', 'owner', ...field.timestamps],
    defaultSort: ['name', 'ASC'],
    tiebreaker: 'id',
    search: ['name', 'slug', 'owner', 'description', 'authorizationServer'],
    filters: {
      kind: equals('kind', z.enum(resourceKinds)),
      subjectType: equals('subjectType', z.enum(subjectTypes)),
      status: equals('status', z.enum(recordStatuses)),
      authorizationServer: equals('authorizationServer', z.string().max(2048)),
      resourceIndicator: contains('resourceIndicators', z.string().max(2048)),
    },
  },
  createSchema: resourceSchema,
  updateSchema: field.forUpdate(resourceSchema),
  readOnlyFields: commonReadOnlyFields,
  references: {},
  dependents: [
    { model: 'policy', label: 'policies', where: (id) => ({ resourceId: id, deletedAt: null }) },
    { model: 'connection', label: 'connections', where: (id) => ({ resourceId: id, deletedAt: null }) },
    { model: 'clientRegistration', label: 'client registrations', where: (id) => ({ resourceId: id }) },
  ],
  deletion: 'soft',
  // The exchange reads the subject type, email release and registrations with the policy set.
  afterChange: bumpPolicyVersion,
  toRecord: (row) => row,
};
