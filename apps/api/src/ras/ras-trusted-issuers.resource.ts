/**
 * ID-JAG issuers, other than Crossgate's own IdP role, that a protected resource's authorization
 * server redeems: an issuer (compared exactly with the ID-JAG `iss`) and its keys, as a pinned JWKS
 * or a `jwks_uri`. Keys come only from here, never from a token. The list is never published
 * (the ID-JAG draft's "Metadata Disclosure"). Crossgate's own IdP role is trusted through the
 * resource's `rasTrustsCrossgateIdp` instead, and no Crossgate issuer may be listed here.
 */
import { z } from 'zod';

import { recordStatuses } from '@crossgate/domain';

import { type AdminResource, bumpPolicyVersion } from '../crud/index.ts';
import { field } from '../crud/index.ts';
import { equals } from '../http/index.ts';

const rasTrustedIssuerSchema = z.strictObject({
  resourceId: z.uuid(),
  issuer: field.httpsUrl,
  jwksUri: field.httpsUrl.nullable().optional(),
  jwks: field.jsonWebKeySet.nullable().optional(),
  status: z.enum(recordStatuses).default('active'),
});

export const rasTrustedIssuersResource: AdminResource = {
  object: 'ras-trusted-issuers',
  model: 'rasTrustedIssuer',
  label: 'trusted ID-JAG issuer',
  operations: ['list', 'get', 'create', 'update', 'delete'],
  list: {
    sortable: ['issuer', 'status', ...field.timestamps],
    defaultSort: ['issuer', 'ASC'],
    tiebreaker: 'id',
    search: ['issuer'],
    filters: {
      resourceId: equals('resourceId', z.uuid()),
      status: equals('status', z.enum(recordStatuses)),
    },
  },
  createSchema: rasTrustedIssuerSchema,
  updateSchema: field.forUpdate(rasTrustedIssuerSchema),
  readOnlyFields: ['id', 'createdAt', 'updatedAt'],
  references: {
    resourceId: { model: 'resource', label: 'resource', softDeleted: true },
  },
  dependents: [],
  deletion: 'hard',
  // The redemption grant reads trusted issuers from the directory, loaded at the policy version.
  afterChange: bumpPolicyVersion,
  toRecord: (row) => row,
  toData(input, context, existing) {
    const issuer = field.merged<string>(input, existing, 'issuer');
    const ownIssuer = issuer === context.publicUrl || issuer.startsWith(`${context.publicUrl}/`);
    field.requireValid({
      issuer: ownIssuer && "must not be one of Crossgate's issuers (Crossgate's IdP role is trusted through the resource's rasTrustsCrossgateIdp)",
      jwks: !field.merged(input, existing, 'jwks') && !field.merged(input, existing, 'jwksUri') && 'needs a JWKS or a JWKS URI',
    });
    return { data: input };
  },
};
