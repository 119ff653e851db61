/**
 * App-pair policies: which client may reach which resource, for which users or groups, with which
 * scopes and under which conditions.
 *
 * The two-person rule: a policy becomes active, and an active policy's rules change, only when a
 * second it-admin approves a request for it (policy-approvals.service.ts), which records who
 * approved it. What narrows access stays a direct edit: renaming, describing, taking a policy out of
 * force (status draft or disabled) and deleting it. The demo data, written as the system, is exempt.
 */
import { isDeepStrictEqual } from 'node:util';

import { z } from 'zod';

import { policyEffects, policyStatuses, weekdays } from '@crossgate/domain';

import { type AdminResource, bumpPolicyVersion, commonReadOnlyFields, defaultOperations } from '../crud/index.ts';
import { field } from '../crud/index.ts';
import { AdminApiError, contains, equals } from '../http/index.ts';

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM');

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

export const policyConditionsSchema = z.strictObject({
  timeWindow: z
    .strictObject({
      days: field.uniqueList(z.enum(weekdays), 7).min(1),
      start: clockTime,
      end: clockTime,
      timeZone: z.string().max(64).refine(isTimeZone, 'must be an IANA time zone such as Europe/Zurich'),
    })
    .refine((window) => window.start < window.end, { message: 'start must be before end', path: ['end'] })
    .optional(),
  requiredAcr: field.uniqueList(z.string().min(1).max(200), 20).optional(),
  requiredAmr: field.uniqueList(z.string().min(1).max(50), 20).optional(),
  /** Lifetime cap for ID-JAGs under this policy; never above the 300 s ID-JAG maximum. */
  maxLifetimeSeconds: z.number().int().min(30).max(300).optional(),
});

const policySchema = z.strictObject({
  name: field.name,
  description: field.description.optional(),
  clientId: z.uuid(),
  resourceId: z.uuid(),
  effect: z.enum(policyEffects).default('allow'),
  everyone: z.boolean().default(false),
  subjectGroupIds: field.uniqueList(z.uuid(), 200).default([]),
  subjectUserIds: field.uniqueList(z.uuid(), 500).default([]),
  scopes: field.uniqueList(field.scopeToken).default([]),
  conditions: policyConditionsSchema.default({}),
  status: z.enum(policyStatuses).default('draft'),
  expiresAt: field.dateTime.optional(),
});

export const policiesResource: AdminResource = {
  object: 'policies',
  model: 'policy',
  label: 'policy',
  operations: defaultOperations,
  list: {
    sortable: ['name', 'status', 'effect', 'expiresAt', 'approvedAt', ...field.timestamps],
    defaultSort: ['name', 'ASC'],
    tiebreaker: 'id',
    search: ['name', 'description'],
    filters: {
      clientId: equals('clientId', z.uuid()),
      resourceId: equals('resourceId', z.uuid()),
      status: equals('status', z.enum(policyStatuses)),
      effect: equals('effect', z.enum(policyEffects)),
      groupId: contains('subjectGroupIds', z.uuid()),
      userId: contains('subjectUserIds', z.uuid()),
    },
  },
  createSchema: policySchema,
  updateSchema: field.forUpdate(policySchema),
  readOnlyFields: [...commonReadOnlyFields, 'approvedBy', 'approvedAt'],
  references: {
    clientId: { model: 'client', label: 'client', softDeleted: true },
    resourceId: { model: 'resource', label: 'resource', softDeleted: true },
    subjectGroupIds: { model: 'group', label: 'group', softDeleted: true },
    subjectUserIds: { model: 'user', label: 'user', softDeleted: true },
  },
  dependents: [],
  deletion: 'soft',
  afterChange: bumpPolicyVersion,
  toRecord: (row) => row,
  async toData(input, context, existing) {
    const resourceId = field.merged<string>(input, existing, 'resourceId');
    const scopes = field.merged<string[]>(input, existing, 'scopes') ?? [];
    const resource = await context.find('resource', { id: resourceId, deletedAt: null });
    const catalogue = new Set(((resource?.['scopes'] ?? []) as { name: string }[]).map((scope) => scope.name));
    const unknownScopes = scopes.filter((scope) => !catalogue.has(scope));
    const everyone = field.merged<boolean>(input, existing, 'everyone');
    const groups = field.merged<string[]>(input, existing, 'subjectGroupIds') ?? [];
    const users = field.merged<string[]>(input, existing, 'subjectUserIds') ?? [];
    const expiresAt = field.merged<Date | null>(input, existing, 'expiresAt');
    field.requireValid({
      scopes: unknownScopes.length > 0 && `not in the resource's scope catalogue: ${unknownScopes.join(', ')}`,
      everyone: !everyone && groups.length === 0 && users.length === 0 && 'choose everyone, or at least one group or user',
      expiresAt: 'expiresAt' in input && expiresAt instanceof Date && expiresAt <= context.now && 'must be in the future',
    });
    const publishing = input['status'] === 'active' && existing?.['status'] !== 'active';
    if (!context.approved && context.request.actor.type !== 'system') {
      refuseUnapprovedWidening(input, existing, publishing);
    }
    const approval = publishing || context.approved ? { approvedBy: context.request.actor.label ?? context.request.actor.id, approvedAt: context.now } : {};
    return { data: { ...input, ...approval } };
  },
};

/** Fields of an active policy that a direct edit may change: they do not widen who gets access. */
const directlyEditable = new Set(['name', 'description', 'status']);

/** The path a change that needs a second it-admin goes through instead. */
export function approvalRequestPath(id: string | undefined): string {
  return `POST /api/policies/${id ?? '{id}'}/approval-requests`;
}

function refuseUnapprovedWidening(input: Record<string, unknown>, existing: Record<string, unknown> | undefined, publishing: boolean): void {
  const id = existing?.['id'] as string | undefined;
  if (publishing) {
    const how = existing ? approvalRequestPath(id) : `create it as a draft, then ${approvalRequestPath(undefined)}`;
    throw AdminApiError.validation({ status: `a policy becomes active only when another it-admin approves it: ${how}` });
  }
  const staysActive = existing?.['status'] === 'active' && field.merged<string>(input, existing, 'status') === 'active';
  const changed = Object.keys(input).filter((key) => !directlyEditable.has(key) && !isDeepStrictEqual(input[key], existing?.[key]));
  if (staysActive && changed.length > 0) {
    throw new AdminApiError(
      'conflict',
      `This policy is active: a change to its ${changed.join(', ')} needs another it-admin's approval (${approvalRequestPath(id)} with the changes), or take it out of force first`,
    );
  }
}
