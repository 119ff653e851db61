/**
 * @overview SCIM 2.0 provisioning (RFC 7643, RFC 7644) of one trusted IdP's users and groups.
 *
 * - Users are keyed as ID tokens key them, by IdP and `sub`: a SCIM user's subject is its
 *   `externalId` when the IdP sends one (map the attribute the IdP puts in the ID token's `sub` to
 *   it), else its `userName`. A user first seen in an ID token is taken over by a SCIM create that
 *   names its `sub`, so the two are one user.
 * - `active: false` suspends the user and DELETE deprovisions it; either fires a user-wide kill
 *   switch, in the same transaction, so tokens already issued stop too. Setting `active: true` again
 *   lets the user sign in but does not lift that switch: an admin lifts it, on purpose.
 * - Groups are the IdP's own (`idpId`); their members are users of the same IdP. A write bumps the
 *   policy version in its transaction and is announced once committed, so the next token request on
 *   any instance decides on the new memberships (see PolicyEngineService).
 * - scimmy validates resources against the core schemas, parses filters and applies PatchOp
 *   (RFC 7644 §3.5.2); each request's writes and their audit events share one transaction.
 */
import { Injectable } from '@nestjs/common';
import SCIMMY from 'scimmy';
import { z } from 'zod';

import type { Config } from '@crossgate/config';
import { AuditLogRepository, type PrismaClient, translateDatabaseError, type Transaction } from '@crossgate/store';

import type { RequestContext } from '../auth/index.ts';
import { KillSwitchesService } from '../kill-switches/index.ts';
import { Clock, InjectConfig, InjectPrisma } from '../platform/index.ts';
import { PolicyEngineService } from '../policies/index.ts';
import { scimPath } from './scim-body.ts';
import { type FilterableAttribute, type Where, whereOfFilter } from './scim-filter.ts';
import type { ScimClient } from './scim-token.service.ts';
import { notFound, scimError } from './scim.error.ts';

/** The most resources one list answer holds (ServiceProviderConfig `filter.maxResults`). */
export const scimMaxResults = 200;

/** One SCIM request: the IdP it comes from, and its id for the audit log. */
export interface ScimCall {
  client: ScimClient;
  requestId: string | null;
}

/** `attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5): comma-separated attribute paths. */
export interface AttributesQuery {
  attributes?: unknown;
  excludedAttributes?: unknown;
}

export interface ListQuery extends AttributesQuery {
  filter?: unknown;
  startIndex?: unknown;
  count?: unknown;
}

type ScimUserResource = InstanceType<typeof SCIMMY.Schemas.User>;
type ScimGroupResource = InstanceType<typeof SCIMMY.Schemas.Group>;
type ListResponse = InstanceType<typeof SCIMMY.Messages.ListResponse>;
type AttributesFilter = InstanceType<typeof SCIMMY.Types.Filter>;

const userSelect = { id: true, subject: true, userName: true, externalId: true, email: true, displayName: true, status: true, createdAt: true, updatedAt: true, deletedAt: true } as const;
const groupSelect = { id: true, name: true, externalId: true, createdAt: true, updatedAt: true } as const;

interface UserRow {
  id: string;
  subject: string;
  userName: string | null;
  externalId: string | null;
  email: string | null;
  displayName: string | null;
  status: 'active' | 'suspended' | 'deprovisioned';
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}

interface GroupRow {
  id: string;
  name: string;
  externalId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

interface Member {
  userId: string;
  display: string;
}

/** What Crossgate keeps of a SCIM user. */
interface UserInput {
  userName: string;
  externalId: string | null;
  email: string | null;
  displayName: string | null;
  active: boolean;
}

/** One request's transaction: whether it wrote, and what to run once it has committed. */
interface Unit {
  tx: Transaction;
  changed: boolean;
  tasks: (() => Promise<void>)[];
}

interface GroupInput {
  displayName: string;
  externalId: string | null;
  members: string[];
}

const uuid = z.uuid();
const pageSchema = z.object({
  startIndex: z.coerce.number().int().catch(1).default(1),
  count: z.coerce.number().int().catch(100).default(100),
});

function text(value: unknown, max: number): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, max) : null;
}

function idEquals(value: unknown): Where | null {
  return typeof value === 'string' && uuid.safeParse(value).success ? { id: value } : null;
}

function stringEquals(field: string, insensitive: boolean): FilterableAttribute {
  return {
    eq: (value) => (typeof value === 'string' ? { [field]: insensitive ? { equals: value, mode: 'insensitive' } : value } : null),
    pr: { [field]: { not: null } },
  };
}

/** RFC 7643 §4.1: `userName` is not case-exact; `externalId` is. */
const userFilters: Record<string, FilterableAttribute> = {
  id: { eq: idEquals, pr: {} },
  username: { eq: (value) => (typeof value === 'string' ? { OR: [{ userName: { equals: value, mode: 'insensitive' } }, { userName: null, subject: value }] } : null), pr: {} },
  externalid: stringEquals('externalId', false),
  displayname: stringEquals('displayName', false),
  'emails.value': stringEquals('email', true),
  active: { eq: (value) => (typeof value === 'boolean' ? (value ? { status: 'active' } : { status: { not: 'active' } }) : null), pr: {} },
};

const groupFilters: Record<string, FilterableAttribute> = {
  id: { eq: idEquals, pr: {} },
  displayname: stringEquals('name', false),
  externalid: stringEquals('externalId', false),
  'members.value': { eq: (value) => (typeof value === 'string' && uuid.safeParse(value).success ? { memberships: { some: { userId: value } } } : null), pr: { memberships: { some: {} } } },
};

/** Entra ID sends booleans as the strings "True" and "False" in PatchOp values. */
function withBooleans(body: unknown): unknown {
  if (body === null || typeof body !== 'object' || !Array.isArray((body as { Operations?: unknown }).Operations)) {
    return body;
  }
  const asBoolean = (value: unknown): unknown => (typeof value === 'string' && /^(true|false)$/i.test(value) ? value.toLowerCase() === 'true' : value);
  const operations = (body as { Operations: unknown[] }).Operations.map((operation) => {
    if (operation === null || typeof operation !== 'object') {
      return operation;
    }
    const { path, value } = operation as { path?: unknown; value?: unknown };
    if (typeof path === 'string' && path.toLowerCase() === 'active') {
      return { ...operation, value: asBoolean(value) };
    }
    if (path === undefined && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      return { ...operation, value: Object.fromEntries(Object.entries(value).map(([key, item]) => [key, key.toLowerCase() === 'active' ? asBoolean(item) : item])) };
    }
    return operation;
  });
  return { ...body, Operations: operations };
}

function userInputOf(resource: ScimUserResource): UserInput {
  const emails = (resource.emails ?? []) as { value?: string; primary?: boolean }[];
  const email = emails.find((entry) => entry.primary === true)?.value ?? emails[0]?.value;
  const name = resource.name as { formatted?: string; givenName?: string; familyName?: string } | undefined;
  const fullName = [name?.givenName, name?.familyName].filter((part) => typeof part === 'string' && part.trim() !== '').join(' ');
  const userName = text(resource.userName, 255);
  if (userName === null) {
    throw scimError(400, 'invalidValue', 'userName is required');
  }
  return {
    userName,
    externalId: text(resource.externalId, 255),
    email: text(email, 320),
    displayName: text(resource.displayName, 200) ?? text(name?.formatted, 200) ?? text(fullName, 200),
    active: resource.active !== false,
  };
}

function groupInputOf(resource: ScimGroupResource): GroupInput {
  const displayName = text(resource.displayName, 200);
  if (displayName === null) {
    throw scimError(400, 'invalidValue', 'displayName is required');
  }
  const members = ((resource.members ?? []) as { value?: unknown }[]).map((member) => member.value);
  const ids = [...new Set(members.map((value) => (typeof value === 'string' ? value : '')))];
  return { displayName, externalId: text(resource.externalId, 255), members: ids };
}

@Injectable()
export class ScimService {
  private readonly baseUrl: string;

  constructor(
    @InjectPrisma() private readonly prisma: PrismaClient,
    private readonly audit: AuditLogRepository,
    private readonly killSwitches: KillSwitchesService,
    private readonly policyEngine: PolicyEngineService,
    private readonly clock: Clock,
    @InjectConfig() config: Config,
  ) {
    this.baseUrl = `${config.http.publicUrl.replace(/\/+$/, '')}${scimPath}`;
    declareServiceProvider(this.baseUrl);
  }

  // ── Discovery (RFC 7644 §4) ─────────────────────────────────────────────────────────────────────

  serviceProviderConfig(): Promise<unknown> {
    return new SCIMMY.Resources.ServiceProviderConfig().read();
  }

  resourceTypes(id?: string): Promise<unknown> {
    return new SCIMMY.Resources.ResourceType(id).read();
  }

  schemas(id?: string): Promise<unknown> {
    return new SCIMMY.Resources.Schema(id).read();
  }

  // ── Users ───────────────────────────────────────────────────────────────────────────────────────

  async listUsers(call: ScimCall, query: ListQuery): Promise<ListResponse> {
    const attributes = attributesOf(query);
    const where: Where = { AND: [{ idpId: call.client.idpId, deletedAt: null }, this.filterOf(query, userFilters)] };
    return this.page(query, (skip, take) => this.prisma.user.findMany({ where, select: userSelect, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], skip, take }), () => this.prisma.user.count({ where }), (row) => this.userOut(row, attributes));
  }

  async getUser(call: ScimCall, id: string, query: AttributesQuery = {}): Promise<ScimUserResource> {
    const attributes = attributesOf(query);
    const row = await this.prisma.user.findFirst({ where: { id: this.idOf(id, 'User'), idpId: call.client.idpId, deletedAt: null }, select: userSelect });
    if (row === null) {
      throw notFound('User', id);
    }
    return this.userOut(row, attributes);
  }

  async createUser(call: ScimCall, body: unknown): Promise<ScimUserResource> {
    const input = userInputOf(new SCIMMY.Schemas.User(this.object(body), 'in'));
    return this.transact(async (unit) => {
      const { tx } = unit;
      const subject = input.externalId ?? input.userName;
      const taken = await tx.user.findMany({
        where: { idpId: call.client.idpId, OR: [{ subject }, { userName: { equals: input.userName, mode: 'insensitive' } }] },
        select: userSelect,
      });
      const [existing] = taken;
      // A user first seen in an ID token (its `sub` is this subject) and not yet known to SCIM is the same
      // person; so is one deleted over SCIM and provisioned again (a deletion frees its userName).
      const adoptable = taken.length === 1 && existing !== undefined && existing.subject === subject && existing.userName === null;
      if (taken.length > 0 && !adoptable) {
        throw scimError(409, 'uniqueness', 'A User with this userName or externalId already exists at this IdP');
      }
      return this.userOut(await this.saveUser(unit, call, adoptable ? existing : null, input));
    });
  }

  async replaceUser(call: ScimCall, id: string, body: unknown): Promise<ScimUserResource> {
    const input = userInputOf(new SCIMMY.Schemas.User(this.object(body), 'in'));
    return this.transact(async (unit) => this.userOut(await this.saveUser(unit, call, await this.lockedUser(unit.tx, call, id), input)));
  }

  async patchUser(call: ScimCall, id: string, body: unknown): Promise<ScimUserResource> {
    const message = new SCIMMY.Messages.PatchOp(withBooleans(this.object(body)) as ConstructorParameters<typeof SCIMMY.Messages.PatchOp>[0]);
    return this.transact(async (unit) => {
      const { tx } = unit;
      const existing = await this.lockedUser(tx, call, id);
      let saved = existing;
      await message.apply(this.userOut(existing), async (patched) => {
        saved = await this.saveUser(unit, call, existing, userInputOf(new SCIMMY.Schemas.User(patched, 'in')));
        return this.userOut(saved);
      });
      return this.userOut(saved);
    });
  }

  async deleteUser(call: ScimCall, id: string): Promise<void> {
    await this.transact(async (unit) => {
      const { tx } = unit;
      const existing = await this.lockedUser(tx, call, id);
      const now = this.clock.now();
      await tx.membership.deleteMany({ where: { userId: existing.id } });
      await tx.user.update({ where: { id: existing.id }, data: { status: 'deprovisioned', deletedAt: now, userName: null } });
      await this.recordWrite(unit, call, 'scim.user.delete', 'users', existing.id, { before: userAudit(existing) }, now);
      later(unit, await this.killSwitches.fireUserSwitchIn(tx, existing.id, `Deleted over SCIM by ${call.client.idpName}`, this.requestOf(call), this.switchContext(call)));
    });
  }

  // ── Groups ──────────────────────────────────────────────────────────────────────────────────────

  async listGroups(call: ScimCall, query: ListQuery): Promise<ListResponse> {
    const attributes = attributesOf(query);
    const where: Where = { AND: [{ idpId: call.client.idpId, deletedAt: null }, this.filterOf(query, groupFilters)] };
    return this.page(
      query,
      async (skip, take) => {
        const rows = await this.prisma.group.findMany({ where, select: groupSelect, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], skip, take });
        const members = await this.membersOf(this.prisma, call, rows.map((row) => row.id));
        return rows.map((row) => ({ row, members: members.get(row.id) ?? [] }));
      },
      () => this.prisma.group.count({ where }),
      ({ row, members }) => this.groupOut(row, members, attributes),
    );
  }

  async getGroup(call: ScimCall, id: string, query: AttributesQuery = {}): Promise<ScimGroupResource> {
    const attributes = attributesOf(query);
    const row = await this.prisma.group.findFirst({ where: { id: this.idOf(id, 'Group'), idpId: call.client.idpId, deletedAt: null }, select: groupSelect });
    if (row === null) {
      throw notFound('Group', id);
    }
    return this.groupOut(row, (await this.membersOf(this.prisma, call, [row.id])).get(row.id) ?? [], attributes);
  }

  async createGroup(call: ScimCall, body: unknown): Promise<ScimGroupResource> {
    const input = groupInputOf(new SCIMMY.Schemas.Group(this.object(body), 'in'));
    return this.transact(async (unit) => {
      const { row, members } = await this.saveGroup(unit, call, null, [], input);
      return this.groupOut(row, members);
    });
  }

  async replaceGroup(call: ScimCall, id: string, body: unknown): Promise<ScimGroupResource> {
    const input = groupInputOf(new SCIMMY.Schemas.Group(this.object(body), 'in'));
    return this.transact(async (unit) => {
      const { tx } = unit;
      const existing = await this.lockedGroup(tx, call, id);
      const { row, members } = await this.saveGroup(unit, call, existing, (await this.membersOf(tx, call, [existing.id])).get(existing.id) ?? [], input);
      return this.groupOut(row, members);
    });
  }

  async patchGroup(call: ScimCall, id: string, body: unknown): Promise<ScimGroupResource> {
    const message = new SCIMMY.Messages.PatchOp(withBooleans(this.object(body)) as ConstructorParameters<typeof SCIMMY.Messages.PatchOp>[0]);
    return this.transact(async (unit) => {
      const { tx } = unit;
      const existing = await this.lockedGroup(tx, call, id);
      let saved = { row: existing, members: (await this.membersOf(tx, call, [existing.id])).get(existing.id) ?? [] };
      const current = saved.members;
      await message.apply(this.groupOut(existing, current), async (patched) => {
        saved = await this.saveGroup(unit, call, existing, current, groupInputOf(new SCIMMY.Schemas.Group(patched, 'in')));
        return this.groupOut(saved.row, saved.members);
      });
      return this.groupOut(saved.row, saved.members);
    });
  }

  async deleteGroup(call: ScimCall, id: string): Promise<void> {
    await this.transact(async (unit) => {
      const { tx } = unit;
      const existing = await this.lockedGroup(tx, call, id);
      const now = this.clock.now();
      const removed = await tx.membership.deleteMany({ where: { groupId: existing.id } });
      await tx.group.update({ where: { id: existing.id }, data: { deletedAt: now } });
      await this.recordWrite(unit, call, 'scim.group.delete', 'groups', existing.id, { before: { displayName: existing.name, externalId: existing.externalId }, context: { membershipsRemoved: removed.count } }, now);
    });
  }

  // ── Writing ─────────────────────────────────────────────────────────────────────────────────────

  /**
   * Runs `work` in one transaction. When it wrote anything, the transaction also bumps the policy
   * version and, once committed, the change is announced (resolving when this instance has reloaded)
   * before what `work` left for after the commit runs.
   */
  private async transact<T>(work: (unit: Unit) => Promise<T>): Promise<T> {
    let done: Unit | undefined;
    const result = await this.prisma
      .$transaction(async (tx) => {
        const unit: Unit = { tx, changed: false, tasks: [] };
        const value = await work(unit);
        if (unit.changed) {
          await tx.policyVersion.updateMany({ where: { id: 1 }, data: { version: { increment: 1 } } });
        }
        done = unit;
        return value;
      })
      .catch(translateDatabaseError);
    if (done?.changed === true) {
      await this.policyEngine.announceChange();
    }
    for (const task of done?.tasks ?? []) {
      await task();
    }
    return result;
  }

  private async saveUser(unit: Unit, call: ScimCall, existing: UserRow | null, input: UserInput): Promise<UserRow> {
    const { tx } = unit;
    const now = this.clock.now();
    const status = input.active ? 'active' : 'suspended';
    const data = { userName: input.userName, externalId: input.externalId, email: input.email, displayName: input.displayName, status, deletedAt: null } as const;
    if (existing === null) {
      const row = await tx.user.create({ data: { idpId: call.client.idpId, subject: input.externalId ?? input.userName, ...data }, select: userSelect });
      await this.recordWrite(unit, call, 'scim.user.create', 'users', row.id, { after: userAudit(row) }, now);
      return row;
    }
    // Okta and Entra ID resend unchanged users: that is no write, no audit event, no policy reload.
    if ((Object.keys(data) as (keyof typeof data)[]).every((field) => existing[field] === data[field])) {
      return existing;
    }
    const row = await tx.user.update({ where: { id: existing.id }, data, select: userSelect });
    await this.recordWrite(unit, call, existing.deletedAt !== null ? 'scim.user.restore' : existing.userName === null ? 'scim.user.link' : 'scim.user.update', 'users', row.id, { before: userAudit(existing), after: userAudit(row) }, now);
    if (existing.status === 'active' && row.status !== 'active') {
      later(unit, await this.killSwitches.fireUserSwitchIn(tx, row.id, `Deactivated over SCIM by ${call.client.idpName}`, this.requestOf(call), this.switchContext(call)));
    }
    return row;
  }

  private async saveGroup(unit: Unit, call: ScimCall, existing: GroupRow | null, current: readonly Member[], input: GroupInput): Promise<{ row: GroupRow; members: Member[] }> {
    const { tx } = unit;
    const now = this.clock.now();
    const valid = input.members.filter((id) => uuid.safeParse(id).success);
    const users = valid.length === 0 ? [] : await tx.user.findMany({ where: { id: { in: valid }, idpId: call.client.idpId, deletedAt: null }, select: { id: true } });
    if (users.length !== input.members.length) {
      const known = new Set(users.map((user) => user.id));
      const unknown = input.members.find((id) => !known.has(id)) ?? '';
      throw scimError(400, 'invalidValue', `members: no User with id "${unknown.slice(0, 64)}" at this IdP`);
    }
    const clash = await tx.group.findFirst({ where: { name: input.displayName, ...(existing === null ? {} : { id: { not: existing.id } }) }, select: { id: true } });
    if (clash !== null) {
      throw scimError(409, 'uniqueness', `A Group named "${input.displayName.slice(0, 200)}" already exists`);
    }
    const data = { name: input.displayName, externalId: input.externalId };
    const wanted = new Set(input.members);
    const had = new Set(current.map((member) => member.userId));
    const added = input.members.filter((id) => !had.has(id));
    const removed = [...had].filter((id) => !wanted.has(id));
    if (existing !== null && existing.name === data.name && existing.externalId === data.externalId && added.length === 0 && removed.length === 0) {
      return { row: existing, members: [...current] };
    }
    const row = existing === null ? await tx.group.create({ data: { ...data, idpId: call.client.idpId }, select: groupSelect }) : await tx.group.update({ where: { id: existing.id }, data, select: groupSelect });
    if (removed.length > 0) {
      await tx.membership.deleteMany({ where: { groupId: row.id, userId: { in: removed } } });
    }
    if (added.length > 0) {
      await tx.membership.createMany({ data: added.map((userId) => ({ userId, groupId: row.id, source: 'scim' as const })), skipDuplicates: true });
    }
    const summary = (group: { name: string; externalId: string | null }) => ({ displayName: group.name, externalId: group.externalId });
    await this.recordWrite(unit, call, existing === null ? 'scim.group.create' : 'scim.group.update', 'groups', row.id, { ...(existing === null ? {} : { before: summary(existing) }), after: summary(row), context: { membersAdded: added, membersRemoved: removed } }, now);
    return { row, members: (await this.membersOf(tx, call, [row.id])).get(row.id) ?? [] };
  }

  /** Every write ends here: its audit event, in the request's transaction. */
  private async recordWrite(unit: Unit, call: ScimCall, action: string, type: string, id: string, detail: { before?: Record<string, unknown>; after?: Record<string, unknown>; context?: Record<string, unknown> }, now: Date): Promise<void> {
    unit.changed = true;
    await this.audit.append(unit.tx, { actor: this.requestOf(call).actor, action, target: { type, id }, decision: 'allow', requestId: call.requestId, ...detail, context: { ...this.switchContext(call), ...detail.context } }, now);
  }

  // ── Reading ─────────────────────────────────────────────────────────────────────────────────────

  private async lockedUser(tx: Transaction, call: ScimCall, id: string): Promise<UserRow> {
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id::text FROM users WHERE id = ${this.idOf(id, 'User')}::uuid AND idp_id = ${call.client.idpId}::uuid AND deleted_at IS NULL FOR UPDATE`;
    const row = locked.length === 0 ? null : await tx.user.findUnique({ where: { id: locked[0]!.id }, select: userSelect });
    if (row === null) {
      throw notFound('User', id);
    }
    return row;
  }

  private async lockedGroup(tx: Transaction, call: ScimCall, id: string): Promise<GroupRow> {
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id::text FROM groups WHERE id = ${this.idOf(id, 'Group')}::uuid AND idp_id = ${call.client.idpId}::uuid AND deleted_at IS NULL FOR UPDATE`;
    const row = locked.length === 0 ? null : await tx.group.findUnique({ where: { id: locked[0]!.id }, select: groupSelect });
    if (row === null) {
      throw notFound('Group', id);
    }
    return row;
  }

  /** The members of each group that are users of the calling IdP, in the order they joined. */
  private async membersOf(db: Transaction | PrismaClient, call: ScimCall, groupIds: readonly string[]): Promise<Map<string, Member[]>> {
    const rows = groupIds.length === 0 ? [] : await db.membership.findMany({
      where: { groupId: { in: [...groupIds] }, user: { idpId: call.client.idpId, deletedAt: null } },
      select: { groupId: true, userId: true, user: { select: { userName: true, subject: true, displayName: true } } },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    const members = new Map<string, Member[]>();
    for (const row of rows) {
      members.set(row.groupId, [...(members.get(row.groupId) ?? []), { userId: row.userId, display: row.user.displayName ?? row.user.userName ?? row.user.subject }]);
    }
    return members;
  }

  private filterOf(query: ListQuery, attributes: Record<string, FilterableAttribute>): Where {
    if (query.filter === undefined || query.filter === '') {
      return {};
    }
    if (typeof query.filter !== 'string' || query.filter.length > 2000) {
      throw scimError(400, 'invalidFilter', 'filter must be one expression of at most 2000 characters');
    }
    return whereOfFilter(query.filter, attributes);
  }

  /** One page of a list (RFC 7644 §3.4.2.4): `startIndex` is 1-based, `count` at most {@link scimMaxResults}. */
  private async page<Row, Out extends InstanceType<typeof SCIMMY.Types.Schema>>(query: ListQuery, rows: (skip: number, take: number) => Promise<Row[]>, total: () => Promise<number>, out: (row: Row) => Out): Promise<ListResponse> {
    const parsed = pageSchema.parse({ startIndex: query.startIndex, count: query.count });
    const startIndex = Math.max(parsed.startIndex, 1);
    const count = Math.min(Math.max(parsed.count, 0), scimMaxResults);
    const [page, totalResults] = await Promise.all([count === 0 ? Promise.resolve([]) : rows(startIndex - 1, count), total()]);
    // scimmy slices a list it holds whole; this page is sliced already, so it is given as the first and its startIndex set after.
    const list = new SCIMMY.Messages.ListResponse(page.map(out), { startIndex: 1, count, totalResults });
    list.startIndex = startIndex;
    return list;
  }

  private idOf(id: string, what: 'User' | 'Group'): string {
    if (!uuid.safeParse(id).success) {
      throw notFound(what, id);
    }
    return id;
  }

  private object(body: unknown): Record<string, unknown> {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw scimError(400, 'invalidSyntax', 'The request body must be one JSON object');
    }
    return body as Record<string, unknown>;
  }

  private userOut(row: UserRow, attributes?: AttributesFilter): ScimUserResource {
    return new SCIMMY.Schemas.User(
      {
        id: row.id,
        ...(row.externalId === null ? {} : { externalId: row.externalId }),
        userName: row.userName ?? row.subject,
        ...(row.displayName === null ? {} : { displayName: row.displayName }),
        active: row.status === 'active',
        ...(row.email === null ? {} : { emails: [{ value: row.email, primary: true, type: 'work' }] }),
        meta: { resourceType: 'User', created: row.createdAt, lastModified: row.updatedAt },
      },
      'out',
      `${this.baseUrl}/Users`,
      attributes,
    );
  }

  private groupOut(row: GroupRow, members: readonly Member[], attributes?: AttributesFilter): ScimGroupResource {
    return new SCIMMY.Schemas.Group(
      {
        id: row.id,
        ...(row.externalId === null ? {} : { externalId: row.externalId }),
        displayName: row.name,
        members: members.map((member) => ({ value: member.userId, display: member.display, type: 'User', $ref: `${this.baseUrl}/Users/${member.userId}` })),
        meta: { resourceType: 'Group', created: row.createdAt, lastModified: row.updatedAt },
      },
      'out',
      `${this.baseUrl}/Groups`,
      attributes,
    );
  }

  /** The IdP's SCIM client as the audit log and kill switches name it. */
  private requestOf(call: ScimCall): RequestContext {
    return { actor: { type: 'scim_client', id: call.client.idpId, label: `SCIM client of ${call.client.idpName}` }, requestId: call.requestId, principal: null };
  }

  private switchContext(call: ScimCall): Record<string, unknown> {
    return { source: 'scim', idpId: call.client.idpId, idp: call.client.idpName };
  }
}

/**
 * The attributes a read returns, as scimmy's egress filter (`pr` for those asked for, `np` for those
 * excluded; `attributes` wins when both are given). `id` and `schemas` are always returned.
 */
function attributesOf(query: AttributesQuery): AttributesFilter | undefined {
  const [list, operator] = query.attributes !== undefined ? [query.attributes, 'pr'] : query.excludedAttributes !== undefined ? [query.excludedAttributes, 'np'] : [undefined, ''];
  if (list === undefined || list === '') {
    return undefined;
  }
  if (typeof list !== 'string' || list.length > 1000 || !/^[\w.:$-]+(,\s*[\w.:$-]+)*$/.test(list)) {
    throw scimError(400, 'invalidFilter', 'attributes and excludedAttributes must be comma-separated attribute paths');
  }
  try {
    return new SCIMMY.Types.Filter(list.split(',').map((path) => `${path.trim()} ${operator}`).join(' and '));
  } catch (error) {
    throw scimError(400, 'invalidFilter', error instanceof Error ? error.message : 'The attribute list cannot be parsed');
  }
}

function later(unit: Unit, task: (() => Promise<void>) | null): void {
  if (task !== null) {
    unit.tasks.push(task);
  }
}

function userAudit(row: UserRow): Record<string, unknown> {
  return { userName: row.userName, externalId: row.externalId, subject: row.subject, email: row.email, displayName: row.displayName, status: row.status };
}

let serviceProviderDeclared = false;

/**
 * scimmy's service provider configuration and resource types are process-wide, so they are declared
 * once (a second API in the same process, as in tests, shares them; the discovery documents' `meta.location`
 * then names the last one's URL, while Users and Groups always name their own).
 */
function declareServiceProvider(baseUrl: string): void {
  for (const resource of [SCIMMY.Resources.User, SCIMMY.Resources.Group, SCIMMY.Resources.ServiceProviderConfig, SCIMMY.Resources.ResourceType, SCIMMY.Resources.Schema]) {
    resource.basepath(baseUrl);
  }
  if (serviceProviderDeclared) {
    return;
  }
  serviceProviderDeclared = true;
  SCIMMY.Config.set({
    documentationUri: 'https://www.rfc-editor.org/rfc/rfc7644',
    patch: { supported: true },
    filter: { supported: true, maxResults: scimMaxResults },
    bulk: { supported: false },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [{ type: 'oauthbearertoken', name: 'OAuth Bearer Token', description: "The IdP's SCIM token, made in Crossgate's admin API (POST /api/trusted-idps/:id/scim-token)", specUri: 'https://www.rfc-editor.org/rfc/rfc6750' }],
  });
  if (!SCIMMY.Resources.declared(SCIMMY.Resources.User)) {
    SCIMMY.Resources.declare(SCIMMY.Resources.User.extend(SCIMMY.Schemas.EnterpriseUser, false));
  }
  if (!SCIMMY.Resources.declared(SCIMMY.Resources.Group)) {
    SCIMMY.Resources.declare(SCIMMY.Resources.Group);
  }
}
