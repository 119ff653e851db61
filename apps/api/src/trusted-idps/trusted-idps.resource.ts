/**
 * Upstream OIDC identity providers whose ID tokens Crossgate accepts. One may also sign admins in to
 * the console: `adminSignInProviderId` names the OAuth provider (Crossgate's client at that IdP, its
 * secret vaulted) the sign-in uses, whose issuer must be the IdP's.
 */
import { z } from 'zod';

import { recordStatuses } from '@crossgate/domain';

import { type AdminResource, bumpPolicyVersion, commonReadOnlyFields, defaultOperations } from '../crud/index.ts';
import { field } from '../crud/index.ts';
import { equals } from '../http/index.ts';

const trustedIdpSchema = z.strictObject({
  name: field.name,
  issuer: field.httpsUrl,
  jwksUri: field.httpsUrl.nullable().optional(),
  jwks: field.jsonWebKeySet.optional(),
  audiences: field.uniqueList(z.string().trim().min(1).max(255), 50).min(1, 'needs at least one accepted audience'),
  groupsClaim: z.string().trim().min(1).max(100).default('groups'),
  adminSignInProviderId: z.uuid().nullable().optional(),
  status: z.enum(recordStatuses).default('active'),
});

export const trustedIdpsResource: AdminResource = {
  object: 'trusted-idps',
  model: 'trustedIdp',
  label: 'trusted IdP',
  operations: defaultOperations,
  list: {
    sortable: ['name', 'issuer', 'status', ...field.timestamps],
    defaultSort: ['name', 'ASC'],
    tiebreaker: 'id',
    search: ['name', 'issuer'],
    filters: { status: equals('status', z.enum(recordStatuses)) },
  },
  createSchema: trustedIdpSchema,
  updateSchema: field.forUpdate(trustedIdpSchema),
  readOnlyFields: commonReadOnlyFields,
  references: { adminSignInProviderId: { model: 'oauthProvider', label: 'OAuth provider', softDeleted: true } },
  dependents: [
    { model: 'user', label: 'users', where: (id) => ({ idpId: id, deletedAt: null }) },
    { model: 'groupMapping', label: 'group mappings', where: (id) => ({ idpId: id }) },
  ],
  deletion: 'soft',
  // The token endpoint serves from a copy loaded at the policy version (policies/directory.ts).
  afterChange: bumpPolicyVersion,
  toRecord: (row) => row,
  async toData(input, context, existing) {
    const providerId = field.merged<string | null>(input, existing, 'adminSignInProviderId');
    if (typeof providerId === 'string') {
      const provider = await context.find('oauthProvider', { id: providerId, deletedAt: null });
      const issuer = field.merged<string>(input, existing, 'issuer');
      field.requireValid({
        adminSignInProviderId: provider !== null && provider['issuer'] !== issuer && `the OAuth provider's issuer is ${String(provider['issuer'])}, not this IdP's ${issuer}`,
      });
    }
    return { data: input };
  },
};
