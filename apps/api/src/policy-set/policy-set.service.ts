/**
 * @overview Policy as code: the whole policy set (resources with their scope catalogues, clients with
 * their scope ceilings, groups, group mappings and app-pair policies) as one document keyed by natural
 * names (resource slug, OAuth client_id, group name, IdP issuer, user e-mail), so it can live in
 * version control and move between instances.
 *
 * - Export writes it in a stable order, so two exports of the same set are the same bytes.
 * - Plan compares a document with this instance: what would be created, changed or deleted, and the
 *   access impact (who gains, loses or changes access) from the what-if engine. Nothing is written.
 * - Apply writes the plan through the same audited write path as the console. Policy changes that
 *   widen access go in as drafts with an approval request for a second it-admin; what narrows access
 *   (deleting a policy, taking it out of force) is direct. With `direct`, which only the
 *   POLICY_APPLY_DIRECT setting permits, every change is written at once as approved.
 *
 * The document manages every policy and group mapping: one left out is deleted. Resources, clients and
 * groups it leaves out stay as they are, since they carry connections, secrets and members; users and
 * trusted IdPs belong to the directory and must exist already.
 */
import { isDeepStrictEqual } from 'node:util';

import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';

import type { Config } from '@crossgate/config';
import { adminRoles, policyEffects, policyStatuses } from '@crossgate/domain';
import type { ClientRow, PolicyRow } from '@crossgate/policy';
import { CrudRepository, type StoredRecord } from '@crossgate/store';

import { AccessControl, type RequestContext } from '../auth/index.ts';
import { type AdminResource, CrudService } from '../crud/index.ts';
import { clientsResource } from '../clients/index.ts';
import { groupMappingsResource } from '../group-mappings/index.ts';
import { groupsResource } from '../groups/index.ts';
import { AdminApiError, fieldErrorsOf, parseBody } from '../http/index.ts';
import { InjectConfig } from '../platform/index.ts';
import { resourcesResource } from '../resources/index.ts';
import { type Impact, policiesResource, PolicyApprovalsService, PolicySimulationService } from '../policies/index.ts';

/** The document format's version; a document of another version is refused, not guessed at. */
export const policySetVersion = 1;

/** Fields holding row ids, which mean nothing on another instance: they stay out of the document. */
const idFields: Record<string, readonly string[]> = { resources: ['introspectionClientIds'], clients: [], groups: ['idpId'] };

const reference = z.string().trim().min(1).max(320);
const entry = z.record(z.string(), z.unknown());

const policyEntry = z.strictObject({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).optional(),
  client: reference,
  resource: reference,
  effect: z.enum(policyEffects).default('allow'),
  status: z.enum(policyStatuses).default('draft'),
  everyone: z.boolean().default(false),
  groups: z.array(reference).max(200).default([]),
  users: z.array(reference).max(500).default([]),
  scopes: z.array(z.string()).max(500).default([]),
  conditions: z.record(z.string(), z.unknown()).default({}),
  expiresAt: z.string().optional(),
});

const mappingEntry = z
  .strictObject({
    idp: reference,
    externalGroup: z.string().trim().min(1).max(255),
    group: reference.optional(),
    adminRole: z.enum(adminRoles).optional(),
  })
  .refine((mapping) => (mapping.group === undefined) !== (mapping.adminRole === undefined), 'map to a group or to an admin role, exactly one');

export const policySetSchema = z.strictObject({
  version: z.literal(policySetVersion, { error: `must be ${policySetVersion}` }),
  resources: z.array(entry).max(10_000).default([]),
  clients: z.array(entry).max(10_000).default([]),
  groups: z.array(entry).max(10_000).default([]),
  groupMappings: z.array(mappingEntry).max(10_000).default([]),
  policies: z.array(policyEntry).max(100_000).default([]),
});

export type PolicySetDocument = z.input<typeof policySetSchema>;

export type ChangeKind = 'resource' | 'client' | 'group' | 'groupMapping' | 'policy';

export interface PlannedChange {
  kind: ChangeKind;
  /** The natural key: a slug, a client_id, a group name, `issuer externalGroup`, `client → resource: name`. */
  key: string;
  action: 'create' | 'update' | 'delete';
  /** For updates: the fields that change. */
  fields?: string[];
  /** For policies: written at once (`direct`) or as a draft with an approval request (`approval`). */
  via?: 'direct' | 'approval';
}

export interface PairImpact extends Impact {
  client: string;
  resource: string;
}

export interface PolicySetPlan {
  changes: PlannedChange[];
  /** Who gains, loses or changes access, per app pair the plan touches. */
  impact: PairImpact[];
  totals: { changes: number; gained: number; lost: number; changed: number };
  /** One sentence for people, e.g. "3 changes: 2 policies, 1 group mapping; 4 users gain access, nobody loses access". */
  summary: string;
}

export interface PolicySetApplied extends PolicySetPlan {
  mode: 'approval' | 'direct';
  /** The approval requests apply opened, for a second it-admin to decide. */
  approvalRequests: { policy: string; approvalId: string }[];
}

/** One step of a plan with what writing it takes. */
interface Step extends PlannedChange {
  resource: AdminResource;
  id?: string;
  body?: StoredRecord;
  /** For a policy asked to become (or stay) active with changes a second admin must approve. */
  approval?: { changes: StoredRecord };
}

interface Current {
  resources: StoredRecord[];
  clients: StoredRecord[];
  groups: StoredRecord[];
  mappings: StoredRecord[];
  policies: StoredRecord[];
  idps: StoredRecord[];
  users: StoredRecord[];
}

const byKey = <T>(rows: readonly T[], key: (row: T) => string) => new Map(rows.map((row) => [key(row), row] as const));
const compare = (left: string, right: string) => (left < right ? -1 : left > right ? 1 : 0);

/** A stored value as the document holds it: dates as ISO strings. */
function documentValue(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}

/** The fields of `resource`'s create schema the document carries, in the schema's order. */
function documentFields(resource: AdminResource): string[] {
  const schema = resource.createSchema as unknown as z.ZodObject;
  return Object.keys(schema.shape).filter((key) => !(idFields[resource.object] ?? []).includes(key));
}

function exportedEntry(resource: AdminResource, row: StoredRecord): StoredRecord {
  return Object.fromEntries(
    documentFields(resource)
      .filter((key) => row[key] !== null && row[key] !== undefined)
      .map((key) => [key, documentValue(row[key])]),
  );
}

/** The user a document names: by e-mail, or by IdP subject for users without one. */
function userKey(user: StoredRecord): string {
  return String(user['email'] ?? user['subject']);
}

/** Lists whose order carries no meaning: a set is the same set however a file orders it. */
const unordered = new Set(['scopes', 'subjectGroupIds', 'subjectUserIds', 'scopeCeiling', 'resourceIndicators']);

/** Whether a stored field already holds what the document asks for. */
function sameValue(field: string, wanted: unknown, stored: unknown): boolean {
  const normal = (value: unknown) => {
    const plain = documentValue(value) ?? null;
    return unordered.has(field) && Array.isArray(plain) ? [...(plain as unknown[])].map(String).sort() : plain;
  };
  return isDeepStrictEqual(normal(wanted), normal(stored));
}

function policyKey(client: string, resource: string, name: string): string {
  return `${client} → ${resource}: ${name}`;
}

@Injectable()
export class PolicySetService {
  constructor(
    @Inject(CrudRepository) private readonly repository: CrudRepository,
    @Inject(CrudService) private readonly crud: CrudService,
    @Inject(PolicySimulationService) private readonly simulation: PolicySimulationService,
    @Inject(PolicyApprovalsService) private readonly approvals: PolicyApprovalsService,
    @Inject(AccessControl) private readonly access: AccessControl,
    @InjectConfig() private readonly config: Config,
  ) {}

  /** The whole policy set, every list sorted by its natural key. */
  async export(): Promise<PolicySetDocument> {
    const current = await this.current();
    const names = this.names(current);
    const resources = current.resources.map((row) => exportedEntry(resourcesResource, row)).sort((a, b) => compare(String(a['slug']), String(b['slug'])));
    const clients = current.clients.map((row) => exportedEntry(clientsResource, row)).sort((a, b) => compare(String(a['clientId']), String(b['clientId'])));
    const groups = current.groups.map((row) => exportedEntry(groupsResource, row)).sort((a, b) => compare(String(a['name']), String(b['name'])));
    const groupMappings = current.mappings
      .map((row) => ({
        idp: names.idps.get(String(row['idpId'])) ?? String(row['idpId']),
        externalGroup: String(row['externalGroup']),
        ...(row['groupId'] ? { group: names.groups.get(String(row['groupId'])) ?? String(row['groupId']) } : {}),
        ...(row['adminRole'] ? { adminRole: row['adminRole'] as (typeof adminRoles)[number] } : {}),
      }))
      .sort((a, b) => compare(`${a.idp} ${a.externalGroup}`, `${b.idp} ${b.externalGroup}`));
    const policies = current.policies
      .map((row) => ({
        name: String(row['name']),
        ...(row['description'] ? { description: String(row['description']) } : {}),
        client: names.clients.get(String(row['clientId'])) ?? String(row['clientId']),
        resource: names.resources.get(String(row['resourceId'])) ?? String(row['resourceId']),
        effect: row['effect'] as (typeof policyEffects)[number],
        status: row['status'] as (typeof policyStatuses)[number],
        everyone: Boolean(row['everyone']),
        groups: (row['subjectGroupIds'] as string[]).map((id) => names.groups.get(id) ?? id).sort(),
        users: (row['subjectUserIds'] as string[]).map((id) => names.users.get(id) ?? id).sort(),
        scopes: [...(row['scopes'] as string[])].sort(),
        conditions: row['conditions'] as Record<string, unknown>,
        ...(row['expiresAt'] instanceof Date ? { expiresAt: row['expiresAt'].toISOString() } : {}),
      }))
      .sort((a, b) => compare(policyKey(a.client, a.resource, a.name), policyKey(b.client, b.resource, b.name)));
    return { version: policySetVersion, resources, clients, groups, groupMappings, policies };
  }

  /** What applying `body` would change, and its access impact; writes nothing. */
  async plan(body: unknown): Promise<PolicySetPlan> {
    const { steps, impact } = await this.prepare(body);
    return this.described(steps, impact);
  }

  /**
   * Writes the plan of `body`: everything that does not widen a policy at once, and each policy that
   * would widen access as a draft with an approval request, unless `direct` (only where the
   * environment permits it) writes it at once, as approved by the caller.
   */
  async apply(body: unknown, options: { direct: boolean }, request: RequestContext): Promise<PolicySetApplied> {
    if (options.direct && !this.config.policy.applyDirect) {
      throw new AdminApiError('forbidden', 'Applying a policy set at once, without a second approver, is switched off here (POLICY_APPLY_DIRECT)');
    }
    const { steps, impact } = await this.prepare(body, options.direct);
    this.requirePermissions(steps, request);
    const approvalRequests: PolicySetApplied['approvalRequests'] = [];
    const created = new Map<string, string>();
    const idOf = (value: unknown) => (typeof value === 'string' && created.has(value) ? created.get(value)! : value);
    for (const step of steps) {
      const stepBody = step.body === undefined ? undefined : this.withCreatedIds(step.body, idOf);
      if (step.action === 'delete') {
        await this.crud.delete(step.resource, step.id!, request);
      } else if (step.action === 'create') {
        const record = await this.crud.create(step.resource, stepBody, request, { approved: options.direct });
        created.set(`new:${step.kind}:${step.key}`, String(record['id']));
        step.id = String(record['id']);
      } else if (stepBody !== undefined && Object.keys(stepBody).length > 0) {
        await this.crud.update(step.resource, step.id!, stepBody, request, { approved: options.direct });
      }
      if (step.approval !== undefined) {
        const changes = this.withCreatedIds(step.approval.changes, idOf);
        const view = await this.approvals.request(step.id!, { changes, note: `policy as code: ${step.key}` }, request);
        approvalRequests.push({ policy: step.key, approvalId: view.id });
      }
    }
    return { ...this.described(steps, impact), mode: options.direct ? 'direct' : 'approval', approvalRequests };
  }

  private withCreatedIds(body: StoredRecord, idOf: (value: unknown) => unknown): StoredRecord {
    return Object.fromEntries(Object.entries(body).map(([key, value]) => [key, Array.isArray(value) ? value.map(idOf) : idOf(value)]));
  }

  private requirePermissions(steps: readonly Step[], request: RequestContext): void {
    const role = request.principal?.role;
    const objects = [...new Set(steps.map((step) => step.resource.object))];
    const refused = objects.filter((object) => role === undefined || !this.access.allows(role, `${object}:write` as Parameters<AccessControl['allows']>[1]));
    if (refused.length > 0) {
      throw new AdminApiError('forbidden', `This policy set changes ${refused.join(', ')}, which your role may not write`);
    }
  }

  private described(steps: readonly Step[], impact: PairImpact[]): PolicySetPlan {
    const changes = steps.map(({ kind, key, action, fields, via }) => ({ kind, key, action, ...(fields ? { fields } : {}), ...(via ? { via } : {}) }));
    const totals = {
      changes: changes.length,
      gained: impact.reduce((sum, pair) => sum + pair.totals.gained, 0),
      lost: impact.reduce((sum, pair) => sum + pair.totals.lost, 0),
      changed: impact.reduce((sum, pair) => sum + pair.totals.changed, 0),
    };
    const kinds = new Map<ChangeKind, number>();
    for (const change of changes) {
      kinds.set(change.kind, (kinds.get(change.kind) ?? 0) + 1);
    }
    const labels: Record<ChangeKind, [string, string]> = {
      resource: ['resource', 'resources'],
      client: ['client', 'clients'],
      group: ['group', 'groups'],
      groupMapping: ['group mapping', 'group mappings'],
      policy: ['policy', 'policies'],
    };
    const what = [...kinds].map(([kind, count]) => `${count} ${labels[kind][count === 1 ? 0 : 1]}`).join(', ');
    const people = (count: number, verb: string) => (count === 0 ? `nobody ${verb}s access` : `${count} ${count === 1 ? 'user' : 'users'} ${count === 1 ? `${verb}s` : verb} access`);
    const summary =
      changes.length === 0
        ? 'No changes: this instance already holds the policy set'
        : `${changes.length} ${changes.length === 1 ? 'change' : 'changes'}: ${what}; ${people(totals.gained, 'gain')}, ${people(totals.lost, 'lose')}${totals.changed === 0 ? '' : `, ${totals.changed} keep access with other scopes`}`;
    return { changes, impact, totals, summary };
  }

  private async current(): Promise<Current> {
    const all = async (model: Parameters<CrudRepository['list']>[0], where: StoredRecord = {}) =>
      (await this.repository.list(model, { where, orderBy: [{ id: 'asc' }], skip: 0, take: 1_000_000 })).rows;
    const live = { deletedAt: null };
    const [resources, clients, groups, mappings, policies, idps, users] = await Promise.all([
      all('resource', live),
      all('client', live),
      all('group', live),
      all('groupMapping'),
      all('policy', live),
      all('trustedIdp', live),
      all('user', live),
    ]);
    return { resources, clients, groups, mappings, policies, idps, users };
  }

  private names(current: Current) {
    const name = (rows: StoredRecord[], key: (row: StoredRecord) => string) => new Map(rows.map((row) => [String(row['id']), key(row)] as const));
    return {
      resources: name(current.resources, (row) => String(row['slug'])),
      clients: name(current.clients, (row) => String(row['clientId'])),
      groups: name(current.groups, (row) => String(row['name'])),
      idps: name(current.idps, (row) => String(row['issuer'])),
      users: name(current.users, userKey),
    };
  }

  /** The document parsed, every name resolved and every entry checked, as the steps that would write it. */
  private async prepare(body: unknown, direct = false): Promise<{ steps: Step[]; impact: PairImpact[] }> {
    const document = parseBody(policySetSchema, body);
    const current = await this.current();
    const errors: Record<string, string> = {};
    const refused = (path: string, error: z.ZodError) => {
      for (const [field, message] of Object.entries(fieldErrorsOf(error))) {
        errors[`${path}.${field}`] = message;
      }
    };
    const steps: Step[] = [];

    const resources = byKey(current.resources, (row) => String(row['slug']));
    const clients = byKey(current.clients, (row) => String(row['clientId']));
    const groups = byKey(current.groups, (row) => String(row['name']));
    const idps = byKey(current.idps, (row) => String(row['issuer']));
    const usersByKey = new Map<string, StoredRecord[]>();
    for (const user of current.users) {
      for (const key of new Set([String(user['email'] ?? ''), String(user['subject'])].filter((value) => value !== ''))) {
        usersByKey.set(key.toLowerCase(), [...(usersByKey.get(key.toLowerCase()) ?? []), user]);
      }
    }

    const entries = (list: 'resources' | 'clients' | 'groups', resource: AdminResource, key: string, existing: Map<string, StoredRecord>, kind: ChangeKind) => {
      const seen = new Set<string>();
      const ids = new Map<string, string>();
      document[list].forEach((raw, index) => {
        const path = `${list}.${index}`;
        const unknownFields = Object.keys(raw).filter((field) => !documentFields(resource).includes(field));
        if (unknownFields.length > 0) {
          errors[path] = `not part of a ${resource.label} in a policy set: ${unknownFields.join(', ')}`;
          return;
        }
        const parsed = resource.createSchema.safeParse(raw);
        if (!parsed.success) {
          refused(path, parsed.error);
          return;
        }
        const name = String(parsed.data[key]);
        if (seen.has(name)) {
          errors[`${path}.${key}`] = `"${name}" appears twice`;
          return;
        }
        seen.add(name);
        const row = existing.get(name);
        if (row === undefined) {
          steps.push({ kind, key: name, action: 'create', resource, body: parsed.data });
          ids.set(name, `new:${kind}:${name}`);
          return;
        }
        ids.set(name, String(row['id']));
        const fields = documentFields(resource).filter((field) => !sameValue(field, parsed.data[field], row[field]));
        if (fields.length > 0) {
          steps.push({ kind, key: name, action: 'update', fields, resource, id: String(row['id']), body: Object.fromEntries(fields.map((field) => [field, parsed.data[field] ?? null])) });
        }
      });
      return ids;
    };

    const resourceIds = entries('resources', resourcesResource, 'slug', resources, 'resource');
    const clientIds = entries('clients', clientsResource, 'clientId', clients, 'client');
    const groupIds = entries('groups', groupsResource, 'name', groups, 'group');
    const lookup = (ids: Map<string, string>, existing: Map<string, StoredRecord>, name: string) => ids.get(name) ?? (existing.has(name) ? String(existing.get(name)!['id']) : undefined);

    // Group mappings: keyed by IdP and external group; every one the document leaves out is deleted.
    const mappingSeen = new Set<string>();
    const storedMappings = byKey(current.mappings, (row) => `${row['idpId']} ${row['externalGroup']}`);
    document.groupMappings.forEach((mapping, index) => {
      const path = `groupMappings.${index}`;
      const idp = idps.get(mapping.idp);
      const groupId = mapping.group === undefined ? null : lookup(groupIds, groups, mapping.group);
      if (idp === undefined) {
        errors[`${path}.idp`] = `no trusted IdP with issuer "${mapping.idp}" on this instance`;
      }
      if (groupId === undefined) {
        errors[`${path}.group`] = `no group "${mapping.group}" here or in the document`;
      }
      if (idp === undefined || groupId === undefined) {
        return;
      }
      const key = `${idp['id']} ${mapping.externalGroup}`;
      const label = `${mapping.idp} ${mapping.externalGroup}`;
      if (mappingSeen.has(key)) {
        errors[`${path}.externalGroup`] = `"${label}" appears twice`;
        return;
      }
      mappingSeen.add(key);
      const data = { idpId: String(idp['id']), externalGroup: mapping.externalGroup, groupId, adminRole: mapping.adminRole ?? null };
      const row = storedMappings.get(key);
      if (row === undefined) {
        steps.push({ kind: 'groupMapping', key: label, action: 'create', resource: groupMappingsResource, body: data });
        return;
      }
      const fields = (['groupId', 'adminRole'] as const).filter((field) => (row[field] ?? null) !== data[field]);
      if (fields.length > 0) {
        steps.push({ kind: 'groupMapping', key: label, action: 'update', fields, resource: groupMappingsResource, id: String(row['id']), body: Object.fromEntries(fields.map((field) => [field, data[field]])) });
      }
    });
    const names = this.names(current);
    for (const [key, row] of storedMappings) {
      if (!mappingSeen.has(key)) {
        steps.push({ kind: 'groupMapping', key: `${names.idps.get(String(row['idpId']))} ${row['externalGroup']}`, action: 'delete', resource: groupMappingsResource, id: String(row['id']) });
      }
    }

    // Policies: keyed by client, resource and name; every one the document leaves out is deleted.
    const storedPolicies = new Map<string, StoredRecord>();
    for (const row of current.policies) {
      const key = policyKey(names.clients.get(String(row['clientId'])) ?? '', names.resources.get(String(row['resourceId'])) ?? '', String(row['name']));
      if (storedPolicies.has(key)) {
        errors['policies'] = `two policies on this instance are both "${key}": rename one so the document can tell them apart`;
      }
      storedPolicies.set(key, row);
    }
    const policySeen = new Set<string>();
    const planned: PolicyRow[] = [];
    const pairs = new Map<string, { clientId: string; resourceId: string; client: string; resource: string }>();
    const touch = (clientId: string, resourceId: string) => pairs.set(`${clientId} ${resourceId}`, { clientId, resourceId, client: names.clients.get(clientId) ?? clientId.replace(/^new:client:/, ''), resource: names.resources.get(resourceId) ?? resourceId.replace(/^new:resource:/, '') });
    document.policies.forEach((policy, index) => {
      const path = `policies.${index}`;
      const problems = Object.keys(errors).length;
      const clientId = lookup(clientIds, clients, policy.client);
      const resourceId = lookup(resourceIds, resources, policy.resource);
      const subjectGroupIds = policy.groups.map((name, at) => lookup(groupIds, groups, name) ?? ((errors[`${path}.groups.${at}`] = `no group "${name}" here or in the document`), ''));
      const subjectUserIds = policy.users.map((name, at) => {
        const matches = usersByKey.get(name.toLowerCase()) ?? [];
        if (matches.length !== 1) {
          errors[`${path}.users.${at}`] = matches.length === 0 ? `no user "${name}" on this instance (users arrive from the IdP or by SCIM)` : `"${name}" names ${matches.length} users`;
          return '';
        }
        return String(matches[0]!['id']);
      });
      if (clientId === undefined) {
        errors[`${path}.client`] = `no client "${policy.client}" here or in the document`;
      }
      if (resourceId === undefined) {
        errors[`${path}.resource`] = `no resource "${policy.resource}" here or in the document`;
      }
      if (clientId === undefined || resourceId === undefined || Object.keys(errors).length > problems) {
        return;
      }
      const key = policyKey(policy.client, policy.resource, policy.name);
      if (policySeen.has(key)) {
        errors[`${path}.name`] = `"${key}" appears twice`;
        return;
      }
      policySeen.add(key);
      const record: StoredRecord = {
        name: policy.name,
        ...(policy.description === undefined ? {} : { description: policy.description }),
        clientId,
        resourceId,
        effect: policy.effect,
        everyone: policy.everyone,
        subjectGroupIds,
        subjectUserIds,
        scopes: policy.scopes,
        conditions: policy.conditions,
        ...(policy.expiresAt === undefined ? {} : { expiresAt: policy.expiresAt }),
      };
      // The ids of what the document creates are placeholders until apply; the schema checks the rest.
      const placeholder = '00000000-0000-4000-8000-000000000000';
      const checkable = Object.fromEntries(Object.entries({ ...record, status: policy.status }).map(([field, value]) => [field, Array.isArray(value) ? value.map((item) => (String(item).startsWith('new:') ? placeholder : item)) : String(value).startsWith('new:') ? placeholder : value]));
      const parsed = policiesResource.createSchema.safeParse(checkable);
      if (!parsed.success) {
        refused(path, parsed.error);
        return;
      }
      const expiresAt = parsed.data['expiresAt'] instanceof Date ? parsed.data['expiresAt'].toISOString() : null;
      const rules: StoredRecord = { ...record, scopes: parsed.data['scopes'], conditions: parsed.data['conditions'], expiresAt };
      planned.push({ ...(rules as unknown as PolicyRow), id: key, status: policy.status, expiresAt: (parsed.data['expiresAt'] as Date | undefined) ?? null });
      const row = storedPolicies.get(key);
      const wantsActive = policy.status === 'active';
      if (row === undefined) {
        touch(clientId, resourceId);
        if (direct || !wantsActive) {
          steps.push({ kind: 'policy', key, action: 'create', resource: policiesResource, body: { ...rules, status: policy.status }, via: 'direct' });
        } else {
          steps.push({ kind: 'policy', key, action: 'create', resource: policiesResource, body: { ...rules, status: 'draft' }, via: 'approval', approval: { changes: {} } });
        }
        return;
      }
      const ruleFields = Object.keys(rules).filter((field) => !['name', 'description'].includes(field) && !sameValue(field, rules[field], row[field]));
      const plainFields = ['name', 'description'].filter((field) => (rules[field] ?? null) !== (row[field] ?? null));
      const statusChanges = row['status'] !== policy.status;
      const fields = [...plainFields, ...ruleFields, ...(statusChanges ? ['status'] : [])];
      if (fields.length === 0) {
        return;
      }
      touch(clientId, resourceId);
      const id = String(row['id']);
      const pick = (names: string[]) => Object.fromEntries(names.map((field) => [field, rules[field] ?? null]));
      if (direct || !wantsActive || ruleFields.length === 0 && !statusChanges) {
        // Out of force, or only renamed: nothing widens, so the write is direct.
        steps.push({ kind: 'policy', key, action: 'update', fields, resource: policiesResource, id, body: { ...pick([...plainFields, ...ruleFields]), ...(statusChanges ? { status: policy.status } : {}) }, via: 'direct' });
      } else if (row['status'] === 'active') {
        steps.push({ kind: 'policy', key, action: 'update', fields, resource: policiesResource, id, body: pick(plainFields), via: 'approval', approval: { changes: pick(ruleFields) } });
      } else {
        // A draft or disabled policy made active: its rules change directly while out of force, then the approval makes it active.
        steps.push({ kind: 'policy', key, action: 'update', fields, resource: policiesResource, id, body: pick([...plainFields, ...ruleFields]), via: 'approval', approval: { changes: {} } });
      }
    });
    for (const [key, row] of storedPolicies) {
      if (!policySeen.has(key)) {
        touch(String(row['clientId']), String(row['resourceId']));
        steps.push({ kind: 'policy', key, action: 'delete', resource: policiesResource, id: String(row['id']), via: 'direct' });
      }
    }

    if (Object.keys(errors).length > 0) {
      throw AdminApiError.validation(errors);
    }
    // Client ceilings as planned, for the impact.
    const ceilings: ClientRow[] = [
      ...current.clients.map((row) => ({ id: String(row['id']), scopeCeiling: ((steps.find((step) => step.kind === 'client' && step.id === row['id'])?.body?.['scopeCeiling'] as string[] | undefined) ?? (row['scopeCeiling'] as string[])) })),
      ...steps.filter((step) => step.kind === 'client' && step.action === 'create').map((step) => ({ id: `new:client:${step.key}`, scopeCeiling: (step.body?.['scopeCeiling'] as string[]) ?? [] })),
    ];
    for (const step of steps) {
      if (step.kind === 'client' && step.action === 'update' && step.fields?.includes('scopeCeiling')) {
        for (const policy of planned.filter((row) => row.clientId === step.id)) {
          touch(policy.clientId, policy.resourceId);
        }
      }
    }
    const impacts = await this.simulation.impactOfSet(planned, ceilings, [...pairs.values()]);
    const impact = [...pairs.values()].map((pair, index) => ({ client: pair.client, resource: pair.resource, ...impacts[index]! })).filter((pair) => pair.totals.gained + pair.totals.lost + pair.totals.changed > 0);
    return { steps, impact };
  }
}
