/**
 * @overview What the console's home page asks for, each a count or a short list from one indexed
 * query: kill switches in force or waiting, draft policies, failed rotations, service accounts past
 * or near their sunset, connections nobody used lately, and token exchanges per day (allowed and
 * refused) and the last scheduled check of the audit chain, from the audit log.
 */
import type { PrismaClient } from '../database.ts';

export interface NamedConnection {
  id: string;
  name: string;
}

export interface FailedRotation extends NamedConnection {
  error: string | null;
}

export interface SunsettingAccount extends NamedConnection {
  sunsetAt: Date;
}

export interface UnusedConnection extends NamedConnection {
  lastUsedAt: Date | null;
}

/** Exchanges on one UTC day: those the token endpoint answered with a token or credential, and those it refused. */
export interface ExchangeDay {
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  allowed: number;
  denied: number;
}

/** The outcome of the last scheduled check of the audit chain (its `audit.chain_verified` event). */
export interface ChainCheckEvent {
  seq: string;
  at: Date;
  intact: boolean;
  reason: string | null;
}

export interface DashboardRows {
  killSwitches: { active: number; pendingApproval: number };
  draftPolicies: number;
  failedRotations: FailedRotation[];
  sunsetting: SunsettingAccount[];
  unused: { total: number; connections: UnusedConnection[] };
  exchanges: ExchangeDay[];
  lastChainCheck: ChainCheckEvent | null;
}

export interface DashboardWindow {
  now: Date;
  /** Service accounts whose sunset is before this count as near it. */
  sunsetBefore: Date;
  /** Connections not used since this (or never, and created before it) count as unused. */
  unusedSince: Date;
  /** The first UTC day of the exchange series. */
  exchangesSince: Date;
  /** Each list is cut at this many rows; counts are complete. */
  listLimit: number;
}

/** The audit actions of a token-endpoint exchange (see the token-exchange grant). */
const exchangeActions = ['token_exchange', 'secret_retrieval'];

export class DashboardRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async summary(window: DashboardWindow): Promise<DashboardRows> {
    const live = { deletedAt: null, status: 'active' } as const;
    const unusedWhere = {
      ...live,
      OR: [{ lastUsedAt: { lt: window.unusedSince } }, { lastUsedAt: null, createdAt: { lt: window.unusedSince } }],
    };
    const [active, pendingApproval, draftPolicies, failedRotations, sunsetting, unusedTotal, unused, exchanges, chainCheck] = await Promise.all([
      this.prisma.killSwitch.count({ where: { state: 'active' } }),
      this.prisma.killSwitch.count({ where: { state: 'pending_approval' } }),
      this.prisma.policy.count({ where: { status: 'draft', deletedAt: null } }),
      this.prisma.connection.findMany({
        where: { deletedAt: null, rotationStatus: 'failed' },
        select: { id: true, name: true, rotationError: true },
        orderBy: { name: 'asc' },
        take: window.listLimit,
      }),
      this.prisma.connection.findMany({
        where: { ...live, pattern: 'service_account', sunsetAt: { lt: window.sunsetBefore } },
        select: { id: true, name: true, sunsetAt: true },
        orderBy: { sunsetAt: 'asc' },
        take: window.listLimit,
      }),
      this.prisma.connection.count({ where: unusedWhere }),
      this.prisma.connection.findMany({
        where: unusedWhere,
        select: { id: true, name: true, lastUsedAt: true },
        orderBy: [{ lastUsedAt: { sort: 'asc', nulls: 'first' } }, { name: 'asc' }],
        take: window.listLimit,
      }),
      this.prisma.$queryRaw<{ day: string; allowed: bigint; denied: bigint }[]>`
        SELECT to_char(date_trunc('day', at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day,
               count(*) FILTER (WHERE decision = 'allow') AS allowed,
               count(*) FILTER (WHERE decision = 'deny') AS denied
          FROM audit_events
         WHERE action = ANY(${exchangeActions}) AND at >= ${window.exchangesSince} AND at <= ${window.now}
         GROUP BY 1
         ORDER BY 1`,
      this.prisma.auditEvent.findFirst({
        where: { action: 'audit.chain_verified' },
        select: { seq: true, at: true, decision: true, reason: true },
        orderBy: { seq: 'desc' },
      }),
    ]);
    return {
      killSwitches: { active, pendingApproval },
      draftPolicies,
      failedRotations: failedRotations.map(({ rotationError, ...connection }) => ({ ...connection, error: rotationError })),
      sunsetting: sunsetting.map((connection) => ({ ...connection, sunsetAt: connection.sunsetAt as Date })),
      unused: { total: unusedTotal, connections: unused },
      exchanges: exchanges.map((row) => ({ day: row.day, allowed: Number(row.allowed), denied: Number(row.denied) })),
      lastChainCheck: chainCheck ? { seq: chainCheck.seq.toString(), at: chainCheck.at, intact: chainCheck.decision === 'allow', reason: chainCheck.reason } : null,
    };
  }
}
