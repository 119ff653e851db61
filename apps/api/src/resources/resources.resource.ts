/**
 * Resource apps and MCP servers, with the catalogue of scopes they understand and what their ID-JAGs
 * say about the user: the subject type (SPEC.md §2.2 "Map `sub`") and whether the email is released.
 *
 * A resource can be protected by Crossgate's resource-side authorization server (`rasEnabled`): its
 * issuer is then `<public URL>/ras/<slug>`, and `authorizationServer` must be exactly that (it is
 * set when protection is switched on or the slug changes, unless the request names another value,
 * which is refused). `introspectionClientIds` are the clients that may introspect its access tokens.
 *
 * A resource with `gatewayUpstreamUrl` is fronted by the MCP gateway (apps/mcp-gateway): agents call
 * `<gateway URL>/mcp/<slug>`, which must be one of its resource indicators, and the gateway forwards
 * each allowed call upstream. `gatewayToolScopes` maps each published tool to a scope of the catalogue.
 * `gatewayApprovalTools` (some of those tools) are high-risk: each call of one waits, for at most
 * `gatewayApprovalTimeoutSeconds`, until an it-admin or incident responder approves it.
 */
import { z } from 'zod';

import { recordStatuses, resourceKinds, scopeRisks, subjectTypes } from '@crossgate/domain';
import { defaultAccessTokenLifetimeSeconds, maxAccessTokenLifetimeSeconds } from '@crossgate/token';

import { type AdminResource, bumpPolicyVersion, commonReadOnlyFields, defaultOperations } from '../crud/index.ts';
import { field } from '../crud/index.ts';
import { contains, equals } from '../http/index.ts';

const scopeEntry = z.strictObject({
  name: field.scopeToken,
  description: z.string().trim().max(500).default(''),
  risk: z.enum(scopeRisks).default('low'),
});

export const defaultApprovalTimeoutSeconds = 120;
export const maxApprovalTimeoutSeconds = 900;
const toolName = z.string().regex(/^[A-Za-z0-9_.\-/]{1,128}$/, 'tool names are letters, digits and _ . - / (at most 128)');

const resourceSchema = z.strictObject({
  slug: field.slug,
  name: field.name,
  kind: z.enum(resourceKinds).default('resource_app'),
  description: field.description.optional(),
  /** Required unless the resource is protected by Crossgate, which sets it. */
  authorizationServer: field.httpsUrl.optional(),
  resourceIndicators: field.uniqueList(field.httpsUrl, 20).min(1, 'needs at least one resource indicator'),
  scopes: z
    .array(scopeEntry)
    .max(500)
    .refine((scopes) => new Set(scopes.map((scope) => scope.name)).size === scopes.length, 'scope names must be unique')
    .default([]),
  subjectType: z.enum(subjectTypes).default('public'),
  releaseEmail: z.boolean().default(false),
  rasEnabled: z.boolean().default(false),
  accessTokenLifetimeSeconds: z.number().int().min(60).max(maxAccessTokenLifetimeSeconds).default(defaultAccessTokenLifetimeSeconds),
  rasTrustsCrossgateIdp: z.boolean().default(true),
  idJagReusable: z.boolean().default(false),
  introspectionClientIds: field.uniqueList(z.uuid(), 50).default([]),
  /** Set: the MCP gateway fronts this resource and forwards its calls here. */
  gatewayUpstreamUrl: field.httpsUrl.nullable().default(null),
  /** Tool name → the scope (from `scopes`) a call of it needs at the gateway. */
  gatewayToolScopes: z
    .record(toolName, field.scopeToken)
    .refine((map) => Object.keys(map).length <= 500, 'at most 500 tools')
    .default({}),
  gatewayKeyHeader: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,64}$/, 'must be an HTTP header name')
    .transform((name) => name.toLowerCase())
    .default('x-api-key'),
  /** Tools (keys of `gatewayToolScopes`) whose every call waits for an admin's approval. */
  gatewayApprovalTools: field.uniqueList(toolName, 500).default([]),
  /** How long such a call waits for a decision before it is refused. */
  gatewayApprovalTimeoutSeconds: z.number().int().min(5).max(maxApprovalTimeoutSeconds).default(defaultApprovalTimeoutSeconds),
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
    { model: 'rasTrustedIssuer', label: 'trusted ID-JAG issuers', where: (id) => ({ resourceId: id }) },
  ],
  deletion: 'soft',
  // The exchange reads the subject type, email release and registrations with the policy set.
  afterChange: bumpPolicyVersion,
  toRecord: (row) => row,
  async toData(input, context, existing) {
    const slug = field.merged<string>(input, existing, 'slug');
    const issuer = `${context.publicUrl}/ras/${slug}`;
    const data = { ...input };
    if (field.merged<boolean>(input, existing, 'rasEnabled')) {
      // A value sent back unchanged (react-admin sends the whole record) is replaced; a new one must be the issuer.
      const named = 'authorizationServer' in input && input['authorizationServer'] !== existing?.['authorizationServer'] ? input['authorizationServer'] : undefined;
      field.requireValid({
        authorizationServer: named !== undefined && named !== issuer && `must be ${issuer} (the issuer of Crossgate's authorization server for this resource) while the resource is protected by Crossgate`,
      });
      data['authorizationServer'] = issuer;
    } else {
      field.requireValid({ authorizationServer: field.merged(input, existing, 'authorizationServer') === undefined && 'is required unless the resource is protected by Crossgate' });
    }
    const toolScopes = field.merged<Record<string, string> | undefined>(input, existing, 'gatewayToolScopes') ?? {};
    const catalogue = new Set((field.merged<{ name: string }[] | undefined>(input, existing, 'scopes') ?? []).map((scope) => scope.name));
    const unknownScopes = [...new Set(Object.values(toolScopes))].filter((scope) => !catalogue.has(scope));
    field.requireValid({ gatewayToolScopes: unknownScopes.length > 0 && `names scopes that are not in the catalogue: ${unknownScopes.join(', ')}` });
    const unpublished = (field.merged<string[] | undefined>(input, existing, 'gatewayApprovalTools') ?? []).filter((tool) => !Object.hasOwn(toolScopes, tool));
    field.requireValid({ gatewayApprovalTools: unpublished.length > 0 && `names tools that are not in the tool → scope map: ${unpublished.join(', ')}` });
    const introspectors = input['introspectionClientIds'] as string[] | undefined;
    if (introspectors !== undefined && introspectors.length > 0) {
      const found = await context.count('client', { id: { in: introspectors }, deletedAt: null });
      field.requireValid({ introspectionClientIds: found !== introspectors.length && 'must name existing clients' });
    }
    return { data };
  },
};
