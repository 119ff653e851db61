/**
 * Managed agent-to-tool connections. Service accounts, the weakest pattern, must say why they still
 * exist, when they end and which account they log in as. The key or password itself is set through
 * `PUT /api/connections/:id/credential` (connection-credential.controller.ts) and never appears in a
 * record; records show only its secret's id and the rotation state, which the worker maintains.
 */
import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';

import { connectionPatterns, recordStatuses } from '@crossgate/domain';

import { type AdminResource, bumpPolicyVersion, commonReadOnlyFields, defaultOperations } from '../crud/index.ts';
import { field } from '../crud/index.ts';
import { equals } from '../http/index.ts';

/** A rotation every minute at most (each one is a push and a test call at the target) and a year at least. */
export const rotationIntervalBounds = { min: 60, max: 366 * 24 * 3600 } as const;

/** A five- or six-field cron expression (cron-parser's dialect, as BullMQ schedulers read it). */
const rotationCron = z
  .string()
  .trim()
  .max(120)
  .superRefine((expression, context) => {
    try {
      CronExpressionParser.parse(expression, { strict: false });
    } catch (error) {
      context.addIssue({ code: 'custom', message: `is not a valid cron expression (${error instanceof Error ? error.message : 'unparsable'})` });
    }
  });

/** Where the target is told the new credential and where it is tested. The worker applies the SSRF guard on each call. */
const hookUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2000);

const connectionSchema = z.strictObject({
  name: field.name,
  description: field.description.optional(),
  clientId: z.uuid(),
  resourceId: z.uuid(),
  pattern: z.enum(connectionPatterns),
  owner: field.owner,
  status: z.enum(recordStatuses).default('active'),
  justification: z.string().trim().max(2000).nullable().optional(),
  sunsetAt: field.dateTime.optional(),
  /** The service account's user name (not secret); the password goes to PUT /api/connections/:id/credential. */
  accountName: z.string().trim().min(1).max(200).nullable().optional(),
  /** The STS connection's third-party OAuth provider. */
  oauthProviderId: z.uuid().nullable().optional(),
  /** The rotation schedule: every N seconds or a cron expression, not both. */
  rotationIntervalSeconds: z.number().int().min(rotationIntervalBounds.min).max(rotationIntervalBounds.max).nullable().optional(),
  rotationCron: rotationCron.nullable().optional(),
  rotationOverlapSeconds: z.number().int().min(0).max(30 * 24 * 3600).optional(),
  rotationHookUrl: hookUrl.nullable().optional(),
  rotationVerifyUrl: hookUrl.nullable().optional(),
});

/** Maintained by Crossgate (credential writes, rotations, retrievals), shown but never written through CRUD. */
const maintainedFields = [
  'lastUsedAt',
  'credentialSecretId',
  'rotationHookSecretId',
  'rotationStatus',
  'rotationStep',
  'rotationError',
  'rotationJobId',
  'rotationLeaseUntil',
  'lastRotatedAt',
  'nextRotationAt',
] as const;

export const connectionsResource: AdminResource = {
  object: 'connections',
  model: 'connection',
  label: 'connection',
  operations: defaultOperations,
  list: {
    sortable: ['name', 'pattern', 'status', 'owner', 'lastUsedAt', 'sunsetAt', ...field.timestamps],
    defaultSort: ['name', 'ASC'],
    tiebreaker: 'id',
    search: ['name', 'owner', 'description'],
    filters: {
      clientId: equals('clientId', z.uuid()),
      resourceId: equals('resourceId', z.uuid()),
      pattern: equals('pattern', z.enum(connectionPatterns)),
      status: equals('status', z.enum(recordStatuses)),
      oauthProviderId: equals('oauthProviderId', z.uuid()),
    },
  },
  createSchema: connectionSchema,
  updateSchema: field.forUpdate(connectionSchema),
  readOnlyFields: [...commonReadOnlyFields, ...maintainedFields],
  references: {
    clientId: { model: 'client', label: 'client', softDeleted: true },
    resourceId: { model: 'resource', label: 'resource', softDeleted: true },
    oauthProviderId: { model: 'oauthProvider', label: 'OAuth provider', softDeleted: true },
  },
  dependents: [],
  deletion: 'soft',
  // The token endpoint serves connections from the directory loaded at the policy version.
  afterChange: bumpPolicyVersion,
  toRecord: (row) => row,
  toData(input, context, existing) {
    const pattern = field.merged<string>(input, existing, 'pattern');
    const justification = field.merged<string | null>(input, existing, 'justification');
    const sunsetAt = field.merged<Date | null>(input, existing, 'sunsetAt');
    const accountName = field.merged<string | null>(input, existing, 'accountName');
    const serviceAccount = pattern === 'service_account';
    const interval = field.merged<number | null | undefined>(input, existing, 'rotationIntervalSeconds') ?? null;
    const cron = field.merged<string | null | undefined>(input, existing, 'rotationCron') ?? null;
    field.requireValid({
      rotationCron: interval !== null && cron !== null && 'set either rotationIntervalSeconds or rotationCron, not both',
      accountName: serviceAccount && !accountName && 'a service account needs the name of the account it logs in as',
      pattern:
        existing !== undefined &&
        existing['credentialSecretId'] !== null &&
        pattern !== existing['pattern'] &&
        'cannot change once a credential is set; create a new connection instead',
      justification:
        serviceAccount && (justification ?? '').length < 20 && 'a service account needs a written justification (20 characters or more)',
      sunsetAt:
        (serviceAccount && !sunsetAt && 'a service account needs a sunset date') ||
        ('sunsetAt' in input && sunsetAt instanceof Date && sunsetAt <= context.now && 'must be in the future'),
      oauthProviderId: pattern === 'sts' && !field.merged<string | null>(input, existing, 'oauthProviderId') && 'an STS connection needs an OAuth provider',
    });
    return { data: input };
  },
};
