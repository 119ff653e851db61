/**
 * @overview Kill switches in PostgreSQL: the active set the token gate keeps in memory, the blast
 * radius a responder sees before firing, and the revocation receipt the worker plans and fills.
 * Active rows stay few (a switch is an incident measure, lifted afterwards), so the gate reads the
 * whole active set in one small query a few times a second instead of asking per request.
 */
import type { KillSwitchDeliveryKind, KillSwitchDeliveryStatus, KillSwitchScope, KillSwitchState } from '@crossgate/domain';

import type { AuditEntry } from '../audit/audit-chain.ts';
import type { AuditLogRepository } from '../audit/audit-log.repository.ts';
import type { PrismaClient, Transaction } from '../database.ts';
import { Prisma } from '../generated/prisma/client.ts';
import {
  boundReceiverTokens,
  connectionsInReach,
  consentsInReach,
  enabledReceiver,
  type KillSwitchReach,
  liveToken,
  receiversInReach,
  tokensInReach,
  vaultedConnection,
} from './kill-switch-reach.ts';

export interface ActiveKillSwitch {
  id: string;
  scope: KillSwitchScope;
  userId: string | null;
  clientId: string | null;
  resourceId: string | null;
  connectionId: string | null;
  idpId: string | null;
  /** For a `connection` switch: that connection's pattern. */
  connectionPattern: string | null;
  /** The switch stops covering requests at this time (the worker marks it expired soon after). */
  expiresAt: Date | null;
  activatedAt: Date | null;
  /** When it was lifted (or expired: then this is `expiresAt`); null while it is in force. */
  endedAt: Date | null;
}

/** A kill switch row, as the admin API maps it. */
export interface KillSwitchRecord {
  id: string;
  scope: KillSwitchScope;
  state: KillSwitchState;
  userId: string | null;
  clientId: string | null;
  resourceId: string | null;
  connectionId: string | null;
  idpId: string | null;
  reason: string;
  createdBy: string;
  createdById: string | null;
  requestedAt: Date;
  activatedAt: Date | null;
  approvedBy: string | null;
  approvedAt: Date | null;
  expiresAt: Date | null;
  liftedAt: Date | null;
  liftedBy: string | null;
  liftReason: string | null;
  liftRequestedBy: string | null;
  liftRequestedById: string | null;
  liftRequestedAt: Date | null;
  liftRequestReason: string | null;
  tokensRevoked: number;
  fannedOutAt: Date | null;
}

/** How far a switch's receipt has got. */
export interface ReceiptProgress {
  total: number;
  pending: number;
  delivered: number;
  failed: number;
  deadLettered: number;
  /** Milliseconds from firing to the first and the last acknowledgement, null before any. */
  firstAckMs: number | null;
  lastAckMs: number | null;
}

export interface DeliveryRecord {
  id: string;
  killSwitchId: string;
  kind: KillSwitchDeliveryKind;
  targetId: string;
  subjectKey: string;
  targetLabel: string;
  setJti: string | null;
  subject: unknown;
  status: KillSwitchDeliveryStatus;
  attempts: number;
  lastError: string | null;
  lastAttemptAt: Date | null;
  deliveredAt: Date | null;
  redrives: number;
  createdAt: Date;
}

/** A new switch: its scope, the ids it names, why, who, and its state (active, or waiting for approval). */
export interface NewKillSwitch {
  scope: KillSwitchScope;
  state: 'active' | 'pending_approval';
  userId?: string | null;
  clientId?: string | null;
  resourceId?: string | null;
  connectionId?: string | null;
  idpId?: string | null;
  reason: string;
  createdBy: string;
  createdById: string | null;
  expiresAt: Date | null;
}

/** The fields a transition may change. */
export type KillSwitchChange = Partial<
  Pick<
    KillSwitchRecord,
    | 'state'
    | 'activatedAt'
    | 'approvedBy'
    | 'approvedAt'
    | 'liftedAt'
    | 'liftedBy'
    | 'liftReason'
    | 'liftRequestedBy'
    | 'liftRequestedById'
    | 'liftRequestedAt'
    | 'liftRequestReason'
  >
>;

/** What the switch names, for people: a user's e-mail, a client's or resource's name, both for a pair. */
export interface KillSwitchNames {
  user?: string;
  client?: string;
  resource?: string;
  connection?: string;
  idp?: string;
}

/** A receipt line that reached its end (delivered or dead-lettered), with the audit event that says so. */
export interface DeliveryOutcome {
  id: string;
  status: 'delivered' | 'dead_lettered';
  attempts: number;
  lastError: string | null;
  at: Date;
  subject: unknown;
  audit: AuditEntry;
}

/** What a switch's SETs say of their subject: the names behind its ids. */
export interface KillSwitchSubjectFacts {
  user: { subject: string; idpIssuer: string } | null;
  /** The client's OAuth `client_id`. */
  clientId: string | null;
  resourceIndicator: string | null;
  idpIssuer: string | null;
}

/** A page of rows and the total that matched. */
export interface Page<T> {
  rows: T[];
  total: number;
}

/** What a switch would reach, counted by the queries the fan-out acts on. */
export interface BlastRadiusCounts {
  tokens: { idJag: number; accessToken: number; total: number };
  users: number;
  agents: number;
  connections: { total: number; vaultedSecrets: number; sample: { id: string; name: string; pattern: string }[] };
  stsConsents: number;
  receivers: number;
  deliveries: Record<KillSwitchDeliveryKind, number> & { total: number };
}

/** The receipt lines of one fan-out, by kind, and the tokens it revoked. */
export interface PlannedFanOut {
  deliveries: Record<KillSwitchDeliveryKind, number>;
  tokensRevoked: number;
}

const activeSelect = {
  id: true,
  scope: true,
  userId: true,
  clientId: true,
  resourceId: true,
  connectionId: true,
  idpId: true,
  expiresAt: true,
  activatedAt: true,
} as const;

/**
 * How long an ended switch is still read: the longest a token Crossgate issues lives (an access token,
 * one hour), so a token a switch killed stays dead after the switch is lifted or expires.
 */
export const endedKillSwitchWindowMs = 3_600_000;

/** The parts of a switch that say what it reaches. */
export function reachOf(killSwitch: Pick<ActiveKillSwitch, 'scope' | 'userId' | 'clientId' | 'resourceId' | 'connectionId' | 'idpId' | 'connectionPattern'>): KillSwitchReach {
  return killSwitch;
}

function count(rows: { n: bigint | number }[]): number {
  return Number(rows[0]?.n ?? 0);
}

/** Planning writes one line per target in one statement per kind: allow it more than the default 5 s. */
const planningTransaction = { timeout: 60_000, maxWait: 10_000 };

export class KillSwitchRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly auditLog?: AuditLogRepository,
  ) {}

  /** Writes a new switch and its audit event in one transaction. */
  async create(input: NewKillSwitch, audit: (record: KillSwitchRecord) => AuditEntry, now: Date): Promise<KillSwitchRecord> {
    return this.prisma.$transaction((tx) => this.createIn(tx, input, audit, now));
  }

  /** Writes a new switch and its audit event in the caller's transaction, which commits them with its own writes. */
  async createIn(tx: Transaction, input: NewKillSwitch, audit: (record: KillSwitchRecord) => AuditEntry, now: Date): Promise<KillSwitchRecord> {
    const record = await tx.killSwitch.create({
      data: {
        ...input,
        requestedAt: now,
        activatedAt: input.state === 'active' ? now : null,
      },
    });
    await this.audited().append(tx, audit(record), now);
    return record;
  }

  /** Whether a user-wide switch on `userId` is in force (seen in `tx`, so a caller deciding to fire one sees its own writes). */
  async userSwitchInForce(tx: Transaction, userId: string, now: Date): Promise<boolean> {
    const found = await tx.killSwitch.findFirst({ where: { scope: 'user', userId, state: 'active', OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] }, select: { id: true } });
    return found !== null;
  }

  /**
   * Changes switch `id` under a row lock: `change` sees the current row and returns what to write and
   * the audit event (or throws to refuse, and nothing is written).
   * @returns null when there is no such switch.
   */
  async transition(id: string, change: (current: KillSwitchRecord) => { data: KillSwitchChange; audit: AuditEntry }, now: Date): Promise<KillSwitchRecord | null> {
    return this.prisma.$transaction(async (tx) => {
      const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id::text FROM kill_switches WHERE id = ${id}::uuid FOR UPDATE`;
      if (locked.length === 0) {
        return null;
      }
      const current = (await tx.killSwitch.findUnique({ where: { id } })) as KillSwitchRecord;
      const { data, audit } = change(current);
      const updated = await tx.killSwitch.update({ where: { id }, data });
      await this.audited().append(tx, audit, now);
      return updated;
    });
  }

  async list(where: Prisma.KillSwitchWhereInput, orderBy: Prisma.KillSwitchOrderByWithRelationInput[], skip: number, take: number): Promise<Page<KillSwitchRecord>> {
    const [rows, total] = await Promise.all([this.prisma.killSwitch.findMany({ where, orderBy, skip, take }), this.prisma.killSwitch.count({ where })]);
    return { rows, total };
  }

  async deliveries(killSwitchId: string, where: Prisma.KillSwitchDeliveryWhereInput, orderBy: Prisma.KillSwitchDeliveryOrderByWithRelationInput[], skip: number, take: number): Promise<Page<DeliveryRecord>> {
    const scoped = { AND: [{ killSwitchId }, where] };
    const [rows, total] = await Promise.all([
      this.prisma.killSwitchDelivery.findMany({ where: scoped, orderBy, skip, take }),
      this.prisma.killSwitchDelivery.count({ where: scoped }),
    ]);
    return { rows: rows as DeliveryRecord[], total };
  }

  /** The names behind the ids of each switch (missing ones are left out), by switch id. */
  async names(records: readonly Pick<KillSwitchRecord, 'id' | 'userId' | 'clientId' | 'resourceId' | 'connectionId' | 'idpId'>[]): Promise<Map<string, KillSwitchNames>> {
    const ids = (key: 'userId' | 'clientId' | 'resourceId' | 'connectionId' | 'idpId') => [...new Set(records.flatMap((record) => (record[key] === null ? [] : [record[key] as string])))];
    const [users, clients, resources, connections, idps] = await Promise.all([
      this.prisma.user.findMany({ where: { id: { in: ids('userId') } }, select: { id: true, email: true, displayName: true, subject: true } }),
      this.prisma.client.findMany({ where: { id: { in: ids('clientId') } }, select: { id: true, name: true } }),
      this.prisma.resource.findMany({ where: { id: { in: ids('resourceId') } }, select: { id: true, name: true } }),
      this.prisma.connection.findMany({ where: { id: { in: ids('connectionId') } }, select: { id: true, name: true } }),
      this.prisma.trustedIdp.findMany({ where: { id: { in: ids('idpId') } }, select: { id: true, name: true } }),
    ]);
    const user = new Map(users.map((row) => [row.id, row.email ?? row.displayName ?? row.subject]));
    const named = (rows: { id: string; name: string }[]) => new Map(rows.map((row) => [row.id, row.name]));
    const client = named(clients);
    const resource = named(resources);
    const connection = named(connections);
    const idp = named(idps);
    return new Map(
      records.map((record) => {
        const names: KillSwitchNames = {};
        const put = (key: keyof KillSwitchNames, map: Map<string, string>, id: string | null) => {
          const name = id === null ? undefined : map.get(id);
          if (name !== undefined) {
            names[key] = name;
          }
        };
        put('user', user, record.userId);
        put('client', client, record.clientId);
        put('resource', resource, record.resourceId);
        put('connection', connection, record.connectionId);
        put('idp', idp, record.idpId);
        return [record.id, names];
      }),
    );
  }

  /** Whether the row named by `table` and `id` exists (and is not deleted), for checking what a new switch names. */
  async exists(table: 'user' | 'client' | 'resource' | 'connection' | 'idp', id: string): Promise<boolean> {
    const where = { id, deletedAt: null };
    switch (table) {
      case 'user':
        return (await this.prisma.user.count({ where })) > 0;
      case 'client':
        return (await this.prisma.client.count({ where })) > 0;
      case 'resource':
        return (await this.prisma.resource.count({ where })) > 0;
      case 'connection':
        return (await this.prisma.connection.count({ where })) > 0;
      case 'idp':
        return (await this.prisma.trustedIdp.count({ where })) > 0;
      default: {
        const unreachable: never = table;
        throw new Error(`Unknown table ${String(unreachable)}`);
      }
    }
  }

  /** The names a switch's SETs need (RFC 9493 subjects), read once per switch. */
  async subjectFacts(record: Pick<KillSwitchRecord, 'userId' | 'clientId' | 'resourceId' | 'idpId'>): Promise<KillSwitchSubjectFacts> {
    const [user, client, resource, idp] = await Promise.all([
      record.userId === null ? null : this.prisma.user.findUnique({ where: { id: record.userId }, select: { subject: true, idp: { select: { issuer: true } } } }),
      record.clientId === null ? null : this.prisma.client.findUnique({ where: { id: record.clientId }, select: { clientId: true } }),
      record.resourceId === null ? null : this.prisma.resource.findUnique({ where: { id: record.resourceId }, select: { resourceIndicators: true } }),
      record.idpId === null ? null : this.prisma.trustedIdp.findUnique({ where: { id: record.idpId }, select: { issuer: true } }),
    ]);
    return {
      user: user === null ? null : { subject: user.subject, idpIssuer: user.idp.issuer },
      clientId: client?.clientId ?? null,
      resourceIndicator: resource?.resourceIndicators[0] ?? null,
      idpIssuer: idp?.issuer ?? null,
    };
  }

  /** An issued token's kind and its resource's slug, for a `jwt_id` subject; null when unknown. */
  async tokenIssuer(jti: string): Promise<{ kind: string; resourceSlug: string | null } | null> {
    const row = await this.prisma.issuedToken.findUnique({ where: { jti }, select: { kind: true, resourceId: true } });
    if (row === null) {
      return null;
    }
    const resource = row.resourceId === null ? null : await this.prisma.resource.findUnique({ where: { id: row.resourceId }, select: { slug: true } });
    return { kind: row.kind, resourceSlug: resource?.slug ?? null };
  }

  /** Records an attempt that failed while more are to come. Never overwrites a line that reached its end. */
  async recordRetry(id: string, attempts: number, lastError: string, at: Date, subject: unknown): Promise<void> {
    await this.prisma.killSwitchDelivery.updateMany({
      where: { id, status: { in: ['pending', 'failed'] } },
      data: { status: 'failed', attempts, lastError, lastAttemptAt: at, ...(subject === undefined ? {} : { subject: subject as Prisma.InputJsonValue }) },
    });
  }

  /** Writes lines that reached their end and their audit events in one transaction (many at once: see GroupCommit). */
  async recordOutcomes(outcomes: readonly DeliveryOutcome[]): Promise<void> {
    if (outcomes.length === 0) {
      return;
    }
    const rows = JSON.stringify(
      outcomes.map((outcome) => ({ id: outcome.id, status: outcome.status, attempts: outcome.attempts, last_error: outcome.lastError, at: outcome.at.toISOString(), subject: outcome.subject ?? null })),
    );
    await this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`UPDATE kill_switch_deliveries d SET
          status = o.status::kill_switch_delivery_status, attempts = o.attempts, last_error = o.last_error, last_attempt_at = o.at,
          delivered_at = CASE WHEN o.status = 'delivered' THEN o.at ELSE d.delivered_at END,
          subject = coalesce(o.subject, d.subject)
        FROM jsonb_to_recordset(${rows}::jsonb) AS o(id uuid, status text, attempts int, last_error text, at timestamptz, subject jsonb)
        WHERE d.id = o.id AND d.status <> 'delivered'`;
      await this.audited().appendMany(tx, outcomes.map((outcome) => ({ entry: outcome.audit, at: outcome.at })));
    });
  }

  /** Puts every dead-lettered line of a switch back to pending; returns them with their re-drive count. */
  async redrive(killSwitchId: string): Promise<{ id: string; redrives: number }[]> {
    return this.prisma.$queryRaw<{ id: string; redrives: number }[]>`UPDATE kill_switch_deliveries SET status = 'pending', redrives = redrives + 1, attempts = 0
      WHERE kill_switch_id = ${killSwitchId}::uuid AND status = 'dead_lettered' RETURNING id::text, redrives`;
  }

  /** Active switches whose fan-out was never planned (their job was lost, or Redis was down when they fired). */
  async notFannedOut(): Promise<string[]> {
    const rows = await this.prisma.killSwitch.findMany({ where: { state: 'active', fannedOutAt: null }, select: { id: true } });
    return rows.map((row) => row.id);
  }

  /** Switches with lines still to carry out: pending or failed ones (their jobs may have been lost with Redis). */
  async withUnfinishedDeliveries(): Promise<string[]> {
    const rows = await this.prisma.$queryRaw<{ id: string }[]>`SELECT DISTINCT kill_switch_id::text AS id FROM kill_switch_deliveries WHERE status IN ('pending', 'failed')`;
    return rows.map((row) => row.id);
  }

  /**
   * Disables a connection whose credential cannot be rotated, so its key is no longer handed out; the
   * policy version moves in the same transaction, so every API instance reloads its directory.
   * @returns false when it was already disabled or gone.
   */
  async disableConnection(connectionId: string, audit: AuditEntry, now: Date): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.connection.updateMany({ where: { id: connectionId, status: 'active', deletedAt: null }, data: { status: 'disabled' } });
      if (count === 0) {
        return false;
      }
      await tx.policyVersion.upsert({ where: { id: 1 }, create: { id: 1, version: 1 }, update: { version: { increment: 1 } } });
      await this.audited().append(tx, audit, now);
      return true;
    });
  }

  /** Marks every active switch past its expiry as expired, each with its audit event; returns them. */
  async expireDue(now: Date, audit: (record: KillSwitchRecord) => AuditEntry): Promise<KillSwitchRecord[]> {
    return this.prisma.$transaction(async (tx) => {
      const due = await tx.$queryRaw<{ id: string }[]>`SELECT id::text FROM kill_switches WHERE state = 'active' AND expires_at <= ${now} FOR UPDATE SKIP LOCKED`;
      if (due.length === 0) {
        return [];
      }
      const ids = due.map((row) => row.id);
      await tx.killSwitch.updateMany({ where: { id: { in: ids } }, data: { state: 'expired' } });
      const records = (await tx.killSwitch.findMany({ where: { id: { in: ids } } })) as KillSwitchRecord[];
      await this.audited().appendMany(tx, records.map((record) => ({ entry: audit(record), at: now })));
      return records;
    });
  }

  /** Records an event about a switch that changes no row of it (a re-drive). */
  async audit(entry: AuditEntry, now: Date): Promise<void> {
    await this.prisma.$transaction((tx) => this.audited().append(tx, entry, now));
  }

  private audited(): AuditLogRepository {
    if (this.auditLog === undefined) {
      throw new Error('This KillSwitchRepository was made without an audit log, so it cannot write');
    }
    return this.auditLog;
  }

  /**
   * Every switch that took effect and is in force at `now` or ended within
   * {@link endedKillSwitchWindowMs} (lifted, or past its expiry), earliest first. A switch in force has
   * `endedAt` null unless its `expiresAt` has passed; callers compare `expiresAt` with their own clock.
   */
  async current(now: Date = new Date()): Promise<ActiveKillSwitch[]> {
    const since = new Date(now.getTime() - endedKillSwitchWindowMs);
    const rows = await this.prisma.killSwitch.findMany({
      where: {
        activatedAt: { not: null },
        OR: [
          { state: 'active', liftedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: since } }] },
          { state: { in: ['lifted', 'expired'] }, OR: [{ liftedAt: { gt: since } }, { expiresAt: { gt: since } }] },
        ],
      },
      select: { ...activeSelect, state: true, liftedAt: true },
      orderBy: [{ activatedAt: 'asc' }, { id: 'asc' }],
    });
    const connectionIds = rows.flatMap((row) => (row.scope === 'connection' && row.connectionId !== null ? [row.connectionId] : []));
    const patterns =
      connectionIds.length === 0
        ? new Map<string, string>()
        : new Map((await this.prisma.connection.findMany({ where: { id: { in: connectionIds } }, select: { id: true, pattern: true } })).map((row) => [row.id, row.pattern as string]));
    return rows.map(({ state, liftedAt, ...row }) => ({
      ...row,
      endedAt: state === 'active' && liftedAt === null ? null : (liftedAt ?? row.expiresAt ?? now),
      connectionPattern: row.connectionId === null ? null : (patterns.get(row.connectionId) ?? null),
    }));
  }

  find(id: string, tx: Transaction | PrismaClient = this.prisma): Promise<KillSwitchRecord | null> {
    return tx.killSwitch.findUnique({ where: { id } });
  }

  /** A switch's reach, with a connection's pair and pattern resolved. */
  async reach(id: string): Promise<KillSwitchReach | null> {
    const row = await this.prisma.killSwitch.findUnique({ where: { id }, select: activeSelect });
    if (row === null) {
      return null;
    }
    return this.resolve(row);
  }

  /** Fills in a connection switch's pair and pattern from the connection. */
  async resolve(reach: KillSwitchReach): Promise<KillSwitchReach> {
    if (reach.scope !== 'connection' || reach.connectionId === null || reach.connectionId === undefined) {
      return reach;
    }
    const connection = await this.prisma.connection.findUnique({ where: { id: reach.connectionId }, select: { clientId: true, resourceId: true, pattern: true } });
    return connection === null ? reach : { ...reach, clientId: connection.clientId, resourceId: connection.resourceId, connectionPattern: connection.pattern };
  }

  /** What firing a switch of `reach` would do at `now`: the preview, from the fan-out's own conditions. */
  async blastRadius(reach: KillSwitchReach, now: Date): Promise<BlastRadiusCounts> {
    const tokens = tokensInReach(reach);
    const connections = connectionsInReach(reach);
    const consents = consentsInReach(reach);
    const receivers = receiversInReach(reach);
    const live = liveToken(now);
    const [tokenRows, userRows, agentRows, connectionRows, sample, consentRows, receiverRows, tokenLines] = await Promise.all([
      this.prisma.$queryRaw<{ kind: string; n: bigint }[]>`SELECT t.kind, count(*) AS n FROM issued_tokens t WHERE ${live} AND ${tokens} GROUP BY t.kind`,
      reach.scope === 'user'
        ? Promise.resolve([{ n: 1 }])
        : reach.scope === 'idp'
          ? this.prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM users WHERE idp_id = ${reach.idpId}::uuid AND deleted_at IS NULL`
          : this.prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM (
              SELECT t.user_id FROM issued_tokens t WHERE ${live} AND ${tokens} AND t.user_id IS NOT NULL
              UNION SELECT s.user_id FROM sts_consents s WHERE s.status = 'active' AND ${consents}) AS u`,
      reach.scope === 'client'
        ? Promise.resolve([{ n: 1 }])
        : this.prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM (
            SELECT t.client_id FROM issued_tokens t WHERE ${live} AND ${tokens}
            UNION SELECT c.client_id FROM connections c WHERE c.deleted_at IS NULL AND ${connections}) AS a`,
      this.prisma.$queryRaw<{ total: bigint; vaulted: bigint }[]>`SELECT count(*) AS total,
          count(*) FILTER (WHERE c.status = 'active' AND c.pattern IN ('vaulted_key', 'service_account')) AS vaulted
        FROM connections c WHERE c.deleted_at IS NULL AND ${connections}`,
      this.prisma.$queryRaw<{ id: string; name: string; pattern: string }[]>`SELECT c.id::text, c.name, c.pattern::text FROM connections c
        WHERE c.deleted_at IS NULL AND ${connections} ORDER BY c.name LIMIT 20`,
      this.prisma.$queryRaw<{ n: bigint; revocable: bigint }[]>`SELECT count(*) AS n, count(*) FILTER (WHERE s.refresh_token_secret_id IS NOT NULL) AS revocable
        FROM sts_consents s WHERE s.status = 'active' AND ${consents}`,
      this.prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM ssf_streams r WHERE ${enabledReceiver} AND ${receivers}`,
      this.prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM ${boundReceiverTokens}
        WHERE ${enabledReceiver} AND ${receivers} AND ${live} AND ${tokens}`,
    ]);
    const byKind = new Map(tokenRows.map((row) => [row.kind, Number(row.n)]));
    const idJag = byKind.get('id_jag') ?? 0;
    const accessToken = byKind.get('access_token') ?? 0;
    const receiverCount = count(receiverRows);
    const deliveries = {
      ssf_set: receiverCount + count(tokenLines),
      sts_revocation: Number(consentRows[0]?.revocable ?? 0),
      credential_rotation: Number(connectionRows[0]?.vaulted ?? 0),
    };
    return {
      tokens: { idJag, accessToken, total: idJag + accessToken },
      users: count(userRows),
      agents: count(agentRows),
      connections: { total: Number(connectionRows[0]?.total ?? 0), vaultedSecrets: deliveries.credential_rotation, sample },
      stsConsents: Number(consentRows[0]?.n ?? 0),
      receivers: receiverCount,
      deliveries: { ...deliveries, total: deliveries.ssf_set + deliveries.sts_revocation + deliveries.credential_rotation },
    };
  }

  /**
   * Plans the fan-out of switch `id` in one transaction: one receipt line per receiver (plus one per
   * covered live token at a receiver bound to that token's resource), per revocable STS consent and
   * per vaulted credential, then marks the covered live tokens revoked. Lines are unique per target,
   * so a re-run after a crash adds nothing; the tokens revoked by the first run are no longer live.
   * @returns null when the switch is not active (lifted or expired before the worker got to it).
   */
  async planFanOut(id: string, now: Date): Promise<PlannedFanOut | null> {
    const reach = await this.reach(id);
    return this.prisma.$transaction(async (tx) => {
      const row = await tx.$queryRaw<{ state: string }[]>`SELECT state::text FROM kill_switches WHERE id = ${id}::uuid FOR UPDATE`;
      if (reach === null || row[0]?.state !== 'active') {
        return null;
      }
      const tokens = tokensInReach(reach);
      const live = liveToken(now);
      const ssfPrincipal = await tx.$executeRaw`INSERT INTO kill_switch_deliveries (id, kill_switch_id, kind, target_id, subject_key, target_label, set_jti)
        SELECT gen_random_uuid(), ${id}::uuid, 'ssf_set', r.id::text, 'principal', r.endpoint_url, gen_random_uuid()::text
        FROM ssf_streams r WHERE ${enabledReceiver} AND ${receiversInReach(reach)}
        ON CONFLICT (kill_switch_id, kind, target_id, subject_key) DO NOTHING`;
      const ssfTokens = await tx.$executeRaw`INSERT INTO kill_switch_deliveries (id, kill_switch_id, kind, target_id, subject_key, target_label, set_jti)
        SELECT gen_random_uuid(), ${id}::uuid, 'ssf_set', r.id::text, 'jti:' || t.jti, r.endpoint_url, gen_random_uuid()::text
        FROM ${boundReceiverTokens}
        WHERE ${enabledReceiver} AND ${receiversInReach(reach)} AND ${live} AND ${tokens}
        ON CONFLICT (kill_switch_id, kind, target_id, subject_key) DO NOTHING`;
      const sts = await tx.$executeRaw`INSERT INTO kill_switch_deliveries (id, kill_switch_id, kind, target_id, target_label)
        SELECT gen_random_uuid(), ${id}::uuid, 'sts_revocation', s.id::text, p.name || ' for ' || coalesce(u.email, u.subject)
        FROM sts_consents s JOIN connections c ON c.id = s.connection_id JOIN oauth_providers p ON p.id = c.oauth_provider_id JOIN users u ON u.id = s.user_id
        WHERE s.status = 'active' AND s.refresh_token_secret_id IS NOT NULL AND ${consentsInReach(reach)}
        ON CONFLICT (kill_switch_id, kind, target_id, subject_key) DO NOTHING`;
      const rotations = await tx.$executeRaw`INSERT INTO kill_switch_deliveries (id, kill_switch_id, kind, target_id, target_label)
        SELECT gen_random_uuid(), ${id}::uuid, 'credential_rotation', c.id::text, c.name
        FROM connections c WHERE ${vaultedConnection} AND ${connectionsInReach(reach)}
        ON CONFLICT (kill_switch_id, kind, target_id, subject_key) DO NOTHING`;
      const revoked = await tx.$executeRaw`UPDATE issued_tokens t SET revoked_at = ${now} WHERE ${live} AND ${tokens}`;
      await tx.$executeRaw`UPDATE kill_switches SET tokens_revoked = tokens_revoked + ${revoked}, fanned_out_at = coalesce(fanned_out_at, ${now}) WHERE id = ${id}::uuid`;
      return { deliveries: { ssf_set: ssfPrincipal + ssfTokens, sts_revocation: sts, credential_rotation: rotations }, tokensRevoked: revoked };
    }, planningTransaction);
  }

  /** A switch's lines that still need a job: pending or failed (a crash may have lost their jobs). */
  unfinishedDeliveries(killSwitchId: string): Promise<{ id: string; redrives: number }[]> {
    return this.prisma.killSwitchDelivery.findMany({ where: { killSwitchId, status: { in: ['pending', 'failed'] } }, select: { id: true, redrives: true } });
  }

  /** The receipt lines among `ids`, by id (for batched reads). */
  async findDeliveries(ids: readonly string[]): Promise<Map<string, DeliveryRecord>> {
    const rows = (await this.prisma.killSwitchDelivery.findMany({ where: { id: { in: [...ids] } } })) as DeliveryRecord[];
    return new Map(rows.map((row) => [row.id, row]));
  }

  /** Receipt progress of each switch in `ids`. */
  async progress(ids: readonly string[]): Promise<Map<string, ReceiptProgress>> {
    const result = new Map<string, ReceiptProgress>();
    if (ids.length === 0) {
      return result;
    }
    const rows = await this.prisma.$queryRaw<
      { id: string; total: bigint; pending: bigint; delivered: bigint; failed: bigint; dead: bigint; first_ack: number | null; last_ack: number | null }[]
    >`SELECT k.id::text,
        count(d.id) AS total,
        count(d.id) FILTER (WHERE d.status = 'pending') AS pending,
        count(d.id) FILTER (WHERE d.status = 'delivered') AS delivered,
        count(d.id) FILTER (WHERE d.status = 'failed') AS failed,
        count(d.id) FILTER (WHERE d.status = 'dead_lettered') AS dead,
        (extract(epoch FROM min(d.delivered_at) - k.activated_at) * 1000)::float8 AS first_ack,
        (extract(epoch FROM max(d.delivered_at) - k.activated_at) * 1000)::float8 AS last_ack
      FROM kill_switches k LEFT JOIN kill_switch_deliveries d ON d.kill_switch_id = k.id
      WHERE k.id IN (${Prisma.join(ids.map((id) => Prisma.sql`${id}::uuid`))})
      GROUP BY k.id, k.activated_at`;
    for (const row of rows) {
      result.set(row.id, {
        total: Number(row.total),
        pending: Number(row.pending),
        delivered: Number(row.delivered),
        failed: Number(row.failed),
        deadLettered: Number(row.dead),
        firstAckMs: row.first_ack === null ? null : Math.round(row.first_ack),
        lastAckMs: row.last_ack === null ? null : Math.round(row.last_ack),
      });
    }
    return result;
  }
}
