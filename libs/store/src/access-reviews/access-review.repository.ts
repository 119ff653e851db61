/**
 * @overview Access-review campaigns in PostgreSQL. Launch snapshots every item in one
 * `INSERT … SELECT` over arrays, joining the evidence (policy approval, names, owners, last use,
 * tokens issued and scopes used in the period, the last certification) in the same statement, so
 * 100,000 items cost one round trip. Bulk decisions, close-time outcomes and remediation marks are
 * single `UPDATE`s; the export reads items a page at a time in id order.
 */
import type { ReviewerIdentity } from '@crossgate/domain';

import type { AuditEntry } from '../audit/audit-chain.ts';
import type { AuditLogRepository } from '../audit/audit-log.repository.ts';
import type { PrismaClient, Transaction } from '../database.ts';
import { Prisma } from '../generated/prisma/client.ts';

export type AccessReviewStatus = 'draft' | 'active' | 'closed';
export type AccessReviewDecision = 'certify' | 'revoke' | 'narrow';
export type AccessReviewSubjectType = 'user' | 'group' | 'everyone';

export interface AccessReviewCampaignRecord {
  id: string;
  name: string;
  description: string | null;
  status: AccessReviewStatus;
  scopeKind: string;
  scopeValue: string | null;
  reviewerRule: string;
  reviewers: string[];
  fallbackReviewer: string;
  dueAt: Date;
  undecidedOutcome: string;
  remediateImmediately: boolean;
  evidenceSince: Date;
  createdBy: string;
  createdById: string | null;
  launchedAt: Date | null;
  closedAt: Date | null;
  closedBy: string | null;
  itemCount: number;
  escalatedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface AccessReviewItemRecord {
  id: string;
  campaignId: string;
  policyId: string;
  clientId: string;
  resourceId: string;
  pattern: string;
  subjectType: AccessReviewSubjectType;
  subjectId: string | null;
  scopes: string[];
  riskFlags: string[];
  evidence: unknown;
  reviewer: string;
  decision: AccessReviewDecision | null;
  keptScopes: string[];
  justification: string | null;
  decidedBy: string | null;
  decidedById: string | null;
  decidedAt: Date | null;
  closeOutcome: string | null;
  remediatedAt: Date | null;
  escalatedFrom: string | null;
  escalationHeld: string | null;
  createdAt: Date;
}

export type NewAccessReviewCampaign = Pick<
  AccessReviewCampaignRecord,
  'name' | 'description' | 'scopeKind' | 'scopeValue' | 'reviewerRule' | 'reviewers' | 'fallbackReviewer' | 'dueAt' | 'undecidedOutcome' | 'remediateImmediately' | 'evidenceSince' | 'createdBy' | 'createdById'
>;

/** One grant to snapshot: what launch computed from effective access, before the evidence joins. */
export interface NewAccessReviewItem {
  policyId: string;
  clientId: string;
  resourceId: string;
  pattern: string;
  connectionId: string | null;
  subjectType: AccessReviewSubjectType;
  subjectId: string | null;
  scopes: readonly string[];
  /** The granted scopes the resource's catalogue rates high risk. */
  highRiskScopes: readonly string[];
  /** Flags known before usage is read (legacy_pattern, high_risk_scopes, no_owner). */
  riskFlags: readonly string[];
  reviewer: string;
}

/** Who an admin is among the users policies name (the rule's type, from the domain). */
export type { ReviewerIdentity };

/** How far a campaign's review has come: items decided (by decision) and still undecided. */
export interface AccessReviewProgress {
  total: number;
  decided: number;
  undecided: number;
  byDecision: Record<AccessReviewDecision, number>;
}

/** The latest decision on an item of a policy: what an auditor following a token back to its policy reads. */
export interface AccessReviewCertification {
  itemId: string;
  campaignId: string;
  campaignName: string;
  policyId: string;
  subjectType: AccessReviewSubjectType;
  subjectId: string | null;
  decision: AccessReviewDecision;
  keptScopes: string[];
  decidedBy: string | null;
  decidedAt: Date;
  justification: string | null;
}

/** Filters a bulk decision or a queue applies. */
export interface AccessReviewItemFilter {
  campaignId?: string;
  reviewer?: string;
  clientId?: string;
  resourceId?: string;
  pattern?: string;
  riskFlag?: string;
  subjectType?: AccessReviewSubjectType;
  /** Only items nobody decided yet. */
  undecided?: boolean;
}

export interface BulkDecision {
  decision: Exclude<AccessReviewDecision, 'narrow'>;
  justification: string;
  decidedBy: string;
  decidedById: string | null;
  at: Date;
}

/** An item the close (or an immediate decision) must apply: revoke, or narrow to `keptScopes`. */
export interface RemediationItem {
  id: string;
  policyId: string;
  clientId: string;
  resourceId: string;
  subjectType: AccessReviewSubjectType;
  subjectId: string | null;
  action: 'revoke' | 'narrow';
  keptScopes: string[];
}

export type AccessReviewNotificationKind = 'reminder' | 'escalation';

/** A recorded reviewer notification, with what its message needs of the campaign. */
export interface AccessReviewNotificationRecord {
  id: string;
  campaignId: string;
  reviewer: string;
  step: string;
  kind: AccessReviewNotificationKind;
  undecided: number;
  emailSentAt: Date | null;
  webhookSentAt: Date | null;
  deliveredAt: Date | null;
  createdAt: Date;
  campaign: { name: string; status: AccessReviewStatus; dueAt: Date };
}

/** What an escalation did: items moved to the fallback reviewer, and items held because they grant the fallback's own access. */
export interface EscalationCounts {
  escalated: number;
  heldForSeparationOfDuties: number;
  /** Undecided items moved, by the reviewer they had. */
  byReviewer: Record<string, number>;
}

/** Why escalation left an item with its reviewer. */
export const escalationHeldReason = 'separation_of_duties';

const unusedAfterDays = 30;
/** The nil UUID stands for "no subject" (everyone) where a join needs a comparable value. */
const noSubject = Prisma.raw("'00000000-0000-0000-0000-000000000000'::uuid");
const scopeSeparator = ' ';

function itemWhere(filter: AccessReviewItemFilter): Prisma.Sql {
  const parts: Prisma.Sql[] = [Prisma.sql`TRUE`];
  if (filter.campaignId !== undefined) {
    parts.push(Prisma.sql`i.campaign_id = ${filter.campaignId}::uuid`);
  }
  if (filter.reviewer !== undefined) {
    parts.push(Prisma.sql`i.reviewer = ${filter.reviewer}`);
  }
  if (filter.clientId !== undefined) {
    parts.push(Prisma.sql`i.client_id = ${filter.clientId}::uuid`);
  }
  if (filter.resourceId !== undefined) {
    parts.push(Prisma.sql`i.resource_id = ${filter.resourceId}::uuid`);
  }
  if (filter.pattern !== undefined) {
    parts.push(Prisma.sql`i.pattern::text = ${filter.pattern}`);
  }
  if (filter.riskFlag !== undefined) {
    parts.push(Prisma.sql`${filter.riskFlag} = ANY (i.risk_flags)`);
  }
  if (filter.subjectType !== undefined) {
    parts.push(Prisma.sql`i.subject_type = ${filter.subjectType}`);
  }
  if (filter.undecided === true) {
    parts.push(Prisma.sql`i.decision IS NULL`);
  }
  return Prisma.join(parts, ' AND ');
}

/** Items that grant `identity`'s own access: the domain's `grantsOwnAccess` as a condition on `access_review_items i`. */
function grantsOwnAccess(identity: ReviewerIdentity): Prisma.Sql {
  if (identity.userIds.length === 0) {
    return Prisma.sql`FALSE`;
  }
  return Prisma.sql`(i.subject_type = 'everyone'
    OR (i.subject_type = 'user' AND i.subject_id = ANY (${identity.userIds}::uuid[]))
    OR (i.subject_type = 'group' AND i.subject_id = ANY (${identity.groupIds}::uuid[])))`;
}

/** An ISO 8601 UTC timestamp with milliseconds, as `Date.prototype.toISOString` writes it. */
function isoSql(expression: string): string {
  return `to_char(${expression} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** One CSV cell: empty for null, otherwise quoted with quotes doubled and a leading formula character defused. */
function csvCellSql(expression: string): string {
  const value = `(${expression})`;
  return `CASE WHEN ${value} IS NULL THEN '' ELSE '"' || replace(CASE WHEN ${value} ~ '^[-=+@\\t\\r]' THEN '''' || ${value} ELSE ${value} END, '"', '""') || '"' END`;
}

/** The evidence pack's CSV columns, each with the SQL that renders it from `access_review_items i`. */
const csvColumnSql: readonly (readonly [string, string])[] = [
  ['campaign_id', 'i.campaign_id::text'],
  ['item_id', 'i.id::text'],
  ['client_id', 'i.client_id::text'],
  ['client_name', "i.evidence->'client'->>'name'"],
  ['client_owner', "i.evidence->'client'->>'owner'"],
  ['resource_id', 'i.resource_id::text'],
  ['resource_slug', "i.evidence->'resource'->>'slug'"],
  ['resource_owner', "i.evidence->'resource'->>'owner'"],
  ['pattern', 'i.pattern::text'],
  ['connection_id', "i.evidence->'connection'->>'id'"],
  ['subject_type', 'i.subject_type'],
  ['subject_id', 'i.subject_id::text'],
  ['subject_label', "i.evidence->'subject'->>'label'"],
  ['scopes_granted', "array_to_string(i.scopes, ' ')"],
  ['scopes_used', "(SELECT string_agg(s, ' ') FROM jsonb_array_elements_text(i.evidence->'scopesUsed') s)"],
  ['scopes_unused', "(SELECT string_agg(s, ' ') FROM jsonb_array_elements_text(i.evidence->'scopesUnused') s)"],
  ['high_risk_scopes', "(SELECT string_agg(s, ' ') FROM jsonb_array_elements_text(i.evidence->'highRiskScopes') s)"],
  ['last_used_at', "i.evidence->>'lastUsedAt'"],
  ['tokens_issued', "i.evidence->>'tokensIssued'"],
  ['period_start', "i.evidence->>'periodStart'"],
  ['policy_id', 'i.policy_id::text'],
  ['policy_name', "i.evidence->'policy'->>'name'"],
  ['policy_approved_by', "i.evidence->'policy'->>'approvedBy'"],
  ['policy_approved_at', "i.evidence->'policy'->>'approvedAt'"],
  ['last_certification_decision', "i.evidence->'lastCertification'->>'decision'"],
  ['last_certification_at', "i.evidence->'lastCertification'->>'decidedAt'"],
  ['risk_flags', "array_to_string(i.risk_flags, ' ')"],
  ['reviewer', 'i.reviewer'],
  ['decision', 'i.decision::text'],
  ['kept_scopes', "array_to_string(i.kept_scopes, ' ')"],
  ['justification', 'i.justification'],
  ['decided_by', 'i.decided_by'],
  ['decided_at', isoSql('i.decided_at')],
  ['close_outcome', 'i.close_outcome'],
  ['remediated_at', isoSql('i.remediated_at')],
];

/** The evidence pack's CSV header, in column order. */
export const accessReviewCsvColumns: readonly string[] = csvColumnSql.map(([name]) => name);

const csvLine = Prisma.raw(`concat_ws(',', ${csvColumnSql.map(([, expression]) => csvCellSql(expression)).join(', ')}) || E'\\r\\n'`);

/** An item as a JSON object, with the same names as the admin API's item records. */
const jsonLine = Prisma.raw(`json_build_object(
  'id', i.id, 'campaignId', i.campaign_id, 'policyId', i.policy_id, 'clientId', i.client_id, 'resourceId', i.resource_id,
  'pattern', i.pattern, 'subjectType', i.subject_type, 'subjectId', i.subject_id, 'scopes', i.scopes, 'riskFlags', i.risk_flags,
  'evidence', i.evidence, 'reviewer', i.reviewer, 'decision', i.decision, 'keptScopes', i.kept_scopes, 'justification', i.justification,
  'decidedBy', i.decided_by, 'decidedById', i.decided_by_id, 'decidedAt', ${isoSql('i.decided_at')}, 'closeOutcome', i.close_outcome,
  'remediatedAt', ${isoSql('i.remediated_at')}, 'createdAt', ${isoSql('i.created_at')})::text`);

export class AccessReviewRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly auditLog: AuditLogRepository,
  ) {}

  async createCampaign(input: NewAccessReviewCampaign, audit: (record: AccessReviewCampaignRecord) => AuditEntry, now: Date): Promise<AccessReviewCampaignRecord> {
    return this.prisma.$transaction(async (tx) => {
      const record = (await tx.accessReviewCampaign.create({ data: input })) as AccessReviewCampaignRecord;
      await this.auditLog.append(tx, audit(record), now);
      return record;
    });
  }

  async findCampaign(id: string): Promise<AccessReviewCampaignRecord | null> {
    return (await this.prisma.accessReviewCampaign.findUnique({ where: { id } })) as AccessReviewCampaignRecord | null;
  }

  async listCampaigns(where: Prisma.AccessReviewCampaignWhereInput, orderBy: Prisma.AccessReviewCampaignOrderByWithRelationInput[], skip: number, take: number): Promise<{ rows: AccessReviewCampaignRecord[]; total: number }> {
    const [rows, total] = await this.prisma.$transaction([this.prisma.accessReviewCampaign.findMany({ where, orderBy, skip, take }), this.prisma.accessReviewCampaign.count({ where })]);
    return { rows: rows as AccessReviewCampaignRecord[], total };
  }

  async findItem(id: string): Promise<AccessReviewItemRecord | null> {
    return (await this.prisma.accessReviewItem.findUnique({ where: { id } })) as AccessReviewItemRecord | null;
  }

  async listItems(where: Prisma.AccessReviewItemWhereInput, orderBy: Prisma.AccessReviewItemOrderByWithRelationInput[], skip: number, take: number): Promise<{ rows: AccessReviewItemRecord[]; total: number }> {
    const [rows, total] = await this.prisma.$transaction([this.prisma.accessReviewItem.findMany({ where, orderBy, skip, take }), this.prisma.accessReviewItem.count({ where })]);
    return { rows: rows as AccessReviewItemRecord[], total };
  }

  async progress(campaignId: string): Promise<AccessReviewProgress> {
    const rows = await this.prisma.accessReviewItem.groupBy({ by: ['decision'], where: { campaignId }, _count: { _all: true } });
    const byDecision: Record<AccessReviewDecision, number> = { certify: 0, revoke: 0, narrow: 0 };
    let undecided = 0;
    for (const row of rows) {
      if (row.decision === null) {
        undecided = row._count._all;
      } else {
        byDecision[row.decision] = row._count._all;
      }
    }
    const decided = byDecision.certify + byDecision.revoke + byDecision.narrow;
    return { total: decided + undecided, decided, undecided, byDecision };
  }

  /**
   * The latest decided item of `policyId`; with `userId`, only items that cover that user (theirs,
   * a group of theirs, or everyone).
   */
  async lastCertification(policyId: string, userId: string | null): Promise<AccessReviewCertification | null> {
    const covers =
      userId === null
        ? Prisma.sql`TRUE`
        : Prisma.sql`(i.subject_type = 'everyone'
            OR (i.subject_type = 'user' AND i.subject_id = ${userId}::uuid)
            OR (i.subject_type = 'group' AND i.subject_id IN (SELECT m.group_id FROM memberships m WHERE m.user_id = ${userId}::uuid)))`;
    const rows = await this.prisma.$queryRaw<
      { id: string; campaign_id: string; campaign_name: string; subject_type: AccessReviewSubjectType; subject_id: string | null; decision: AccessReviewDecision; kept_scopes: string[]; decided_by: string | null; decided_at: Date; justification: string | null }[]
    >`
      SELECT i.id::text, i.campaign_id::text, c.name AS campaign_name, i.subject_type, i.subject_id::text, i.decision::text AS decision,
        i.kept_scopes, i.decided_by, i.decided_at, i.justification
      FROM access_review_items i JOIN access_review_campaigns c ON c.id = i.campaign_id
      WHERE i.policy_id = ${policyId}::uuid AND i.decided_at IS NOT NULL AND ${covers}
      ORDER BY i.decided_at DESC, i.id LIMIT 1`;
    const row = rows[0];
    return row === undefined
      ? null
      : {
          itemId: row.id,
          campaignId: row.campaign_id,
          campaignName: row.campaign_name,
          policyId,
          subjectType: row.subject_type,
          subjectId: row.subject_id,
          decision: row.decision,
          keptScopes: row.kept_scopes,
          decidedBy: row.decided_by,
          decidedAt: row.decided_at,
          justification: row.justification,
        };
  }

  /** Active admins by lower-cased e-mail, with their role: who may be assigned items. */
  async activeAdmins(): Promise<Map<string, string>> {
    const rows = await this.prisma.adminUser.findMany({ where: { status: 'active', deletedAt: null }, select: { email: true, role: true } });
    return new Map(rows.map((row) => [row.email.toLowerCase(), row.role]));
  }

  /** The users whose e-mail is one of `emails` (an admin's identity among end users), with their groups, by e-mail. */
  async identities(emails: readonly string[]): Promise<Map<string, ReviewerIdentity>> {
    const result = new Map<string, ReviewerIdentity>();
    if (emails.length === 0) {
      return result;
    }
    const rows = await this.prisma.$queryRaw<{ email: string; user_id: string; group_ids: string[] }[]>`
      SELECT lower(u.email) AS email, u.id::text AS user_id,
        coalesce(array_agg(m.group_id::text) FILTER (WHERE m.group_id IS NOT NULL), '{}') AS group_ids
      FROM users u LEFT JOIN memberships m ON m.user_id = u.id
      WHERE u.deleted_at IS NULL AND lower(u.email) = ANY (${emails.map((email) => email.toLowerCase())}::text[])
      GROUP BY u.email, u.id`;
    for (const row of rows) {
      const identity = result.get(row.email) ?? { userIds: [], groupIds: [] };
      identity.userIds.push(row.user_id);
      identity.groupIds.push(...row.group_ids);
      result.set(row.email, identity);
    }
    return result;
  }

  /** Whether a campaign's scope names a row that exists (not deleted). */
  async scopeTargetExists(kind: 'client' | 'resource' | 'group', id: string): Promise<boolean> {
    const where = { id, deletedAt: null };
    switch (kind) {
      case 'client':
        return (await this.prisma.client.count({ where })) > 0;
      case 'resource':
        return (await this.prisma.resource.count({ where })) > 0;
      case 'group':
        return (await this.prisma.group.count({ where })) > 0;
      default: {
        const unreachable: never = kind;
        return unreachable;
      }
    }
  }

  /** The members of a group (for a group-scoped campaign). */
  async groupMembers(groupId: string): Promise<Set<string>> {
    const rows = await this.prisma.membership.findMany({ where: { groupId }, select: { userId: true } });
    return new Set(rows.map((row) => row.userId));
  }

  /** Active connections by app pair (`client/resource`), and the owners of clients and resources. */
  async launchFacts(): Promise<{
    connections: Map<string, { id: string; pattern: string }[]>;
    clientOwners: Map<string, string>;
    resources: Map<string, { owner: string; scopes: unknown }>;
  }> {
    const [connections, clients, resources] = await Promise.all([
      this.prisma.connection.findMany({ where: { status: 'active', deletedAt: null }, select: { id: true, clientId: true, resourceId: true, pattern: true }, orderBy: { createdAt: 'asc' } }),
      this.prisma.client.findMany({ where: { deletedAt: null }, select: { id: true, owner: true } }),
      this.prisma.resource.findMany({ where: { deletedAt: null }, select: { id: true, owner: true, scopes: true } }),
    ]);
    const byPair = new Map<string, { id: string; pattern: string }[]>();
    for (const connection of connections) {
      const key = `${connection.clientId}/${connection.resourceId}`;
      byPair.set(key, [...(byPair.get(key) ?? []), { id: connection.id, pattern: connection.pattern }]);
    }
    return {
      connections: byPair,
      clientOwners: new Map(clients.map((client) => [client.id, client.owner])),
      resources: new Map(resources.map((resource) => [resource.id, { owner: resource.owner, scopes: resource.scopes }])),
    };
  }

  /**
   * Snapshots `items` into the draft campaign and marks it active, in one transaction.
   * @returns null when the campaign is not a draft (launched already, or closed)
   */
  async launch(campaignId: string, items: readonly NewAccessReviewItem[], audit: (record: AccessReviewCampaignRecord) => AuditEntry, now: Date): Promise<AccessReviewCampaignRecord | null> {
    return this.prisma.$transaction(
      async (tx) => {
        const locked = await tx.$queryRaw<{ status: string; evidence_since: Date }[]>`
          SELECT status::text, evidence_since FROM access_review_campaigns WHERE id = ${campaignId}::uuid FOR UPDATE`;
        if (locked[0]?.status !== 'draft') {
          return null;
        }
        const since = locked[0].evidence_since;
        const column = <T>(pick: (item: NewAccessReviewItem) => T) => items.map(pick);
        await tx.$executeRaw`
          WITH x AS (
            SELECT * FROM unnest(
              ${column((item) => item.policyId)}::uuid[], ${column((item) => item.clientId)}::uuid[], ${column((item) => item.resourceId)}::uuid[],
              ${column((item) => item.pattern)}::text[], ${column((item) => item.connectionId)}::uuid[], ${column((item) => item.subjectType)}::text[],
              ${column((item) => item.subjectId)}::uuid[], ${column((item) => item.scopes.join(scopeSeparator))}::text[],
              ${column((item) => item.highRiskScopes.join(scopeSeparator))}::text[], ${column((item) => item.riskFlags.join(scopeSeparator))}::text[],
              ${column((item) => item.reviewer)}::text[]
            ) WITH ORDINALITY AS x(policy_id, client_id, resource_id, pattern, connection_id, subject_type, subject_id, scopes, high_risk, flags, reviewer, ord)
          ),
          pairs AS (SELECT DISTINCT client_id, resource_id FROM x),
          tokens AS (
            SELECT t.client_id, t.resource_id, t.user_id, t.issued_at, t.scopes
            FROM issued_tokens t JOIN pairs p ON p.client_id = t.client_id AND p.resource_id = t.resource_id
            WHERE t.user_id IS NOT NULL
          ),
          token_subjects AS (
            SELECT client_id, resource_id, 'user' AS subject_type, user_id AS subject_id, issued_at, scopes FROM tokens
            UNION ALL SELECT client_id, resource_id, 'everyone', ${noSubject}, issued_at, scopes FROM tokens
            UNION ALL SELECT t.client_id, t.resource_id, 'group', m.group_id, t.issued_at, t.scopes FROM tokens t JOIN memberships m ON m.user_id = t.user_id
          ),
          use_by_subject AS (
            SELECT client_id, resource_id, subject_type, subject_id, max(issued_at) AS last_used,
              count(*) FILTER (WHERE issued_at >= ${since}) AS issued
            FROM token_subjects GROUP BY 1, 2, 3, 4
          ),
          scopes_by_subject AS (
            SELECT client_id, resource_id, subject_type, subject_id, array_agg(DISTINCT s ORDER BY s) AS used
            FROM token_subjects, unnest(scopes) AS s WHERE issued_at >= ${since} GROUP BY 1, 2, 3, 4
          ),
          last_certification AS (
            SELECT DISTINCT ON (client_id, resource_id, subject_type, coalesce(subject_id, ${noSubject}))
              client_id, resource_id, subject_type, coalesce(subject_id, ${noSubject}) AS subject_key,
              jsonb_build_object('campaignId', campaign_id, 'decision', decision, 'decidedBy', decided_by, 'decidedAt', decided_at, 'justification', justification) AS certification
            FROM access_review_items
            WHERE decided_at IS NOT NULL AND campaign_id <> ${campaignId}::uuid
            ORDER BY client_id, resource_id, subject_type, coalesce(subject_id, ${noSubject}), decided_at DESC
          ),
          rows AS (
            SELECT x.*, string_to_array(x.scopes, ' ') AS granted,
              coalesce(su.used, '{}') AS used,
              greatest(u.last_used, conn.last_used_at) AS last_used,
              coalesce(u.issued, 0) AS issued,
              p.name AS policy_name, p.approved_by, p.approved_at,
              c.name AS client_name, c.client_id AS oauth_client_id, c.owner AS client_owner,
              r.name AS resource_name, r.slug AS resource_slug, r.owner AS resource_owner,
              coalesce(subject_user.email, subject_group.name, CASE WHEN x.subject_type = 'everyone' THEN 'everyone' END) AS subject_label,
              conn.name AS connection_name, lc.certification
            FROM x
            JOIN policies p ON p.id = x.policy_id
            JOIN clients c ON c.id = x.client_id
            JOIN resources r ON r.id = x.resource_id
            LEFT JOIN users subject_user ON x.subject_type = 'user' AND subject_user.id = x.subject_id
            LEFT JOIN groups subject_group ON x.subject_type = 'group' AND subject_group.id = x.subject_id
            LEFT JOIN connections conn ON conn.id = x.connection_id
            LEFT JOIN use_by_subject u ON u.client_id = x.client_id AND u.resource_id = x.resource_id AND u.subject_type = x.subject_type AND u.subject_id = coalesce(x.subject_id, ${noSubject})
            LEFT JOIN scopes_by_subject su ON su.client_id = x.client_id AND su.resource_id = x.resource_id AND su.subject_type = x.subject_type AND su.subject_id = coalesce(x.subject_id, ${noSubject})
            LEFT JOIN last_certification lc ON lc.client_id = x.client_id AND lc.resource_id = x.resource_id AND lc.subject_type = x.subject_type AND lc.subject_key = coalesce(x.subject_id, ${noSubject})
          )
          INSERT INTO access_review_items (id, campaign_id, policy_id, client_id, resource_id, pattern, subject_type, subject_id, scopes, risk_flags, evidence, reviewer, kept_scopes, created_at)
          SELECT gen_random_uuid(), ${campaignId}::uuid, policy_id, client_id, resource_id, pattern::connection_pattern, subject_type, subject_id, granted,
            CASE WHEN last_used IS NULL OR last_used < ${now}::timestamptz - make_interval(days => ${unusedAfterDays}) THEN array_prepend('unused_30d', string_to_array(flags, ' ')) ELSE string_to_array(flags, ' ') END,
            jsonb_build_object(
              'policy', jsonb_build_object('id', policy_id, 'name', policy_name, 'approvedBy', approved_by, 'approvedAt', approved_at),
              'client', jsonb_build_object('id', client_id, 'clientId', oauth_client_id, 'name', client_name, 'owner', client_owner),
              'resource', jsonb_build_object('id', resource_id, 'slug', resource_slug, 'name', resource_name, 'owner', resource_owner),
              'subject', jsonb_build_object('type', subject_type, 'id', subject_id, 'label', subject_label),
              'connection', CASE WHEN connection_id IS NULL THEN NULL ELSE jsonb_build_object('id', connection_id, 'name', connection_name, 'pattern', pattern) END,
              'periodStart', ${since}::timestamptz,
              'lastUsedAt', last_used,
              'tokensIssued', issued,
              'scopesGranted', to_jsonb(granted),
              'scopesUsed', to_jsonb(used),
              'scopesUnused', to_jsonb(ARRAY(SELECT unnest(granted) EXCEPT SELECT unnest(used) ORDER BY 1)),
              'highRiskScopes', to_jsonb(string_to_array(high_risk, ' ')),
              'lastCertification', certification
            ),
            reviewer, '{}', ${now}
          FROM rows ORDER BY ord`;
        const [record] = await tx.$queryRaw<{ id: string }[]>`
          UPDATE access_review_campaigns SET status = 'active', launched_at = ${now}, item_count = ${items.length}, updated_at = ${now}
          WHERE id = ${campaignId}::uuid RETURNING id::text`;
        const campaign = (await tx.accessReviewCampaign.findUnique({ where: { id: record!.id } })) as AccessReviewCampaignRecord;
        await this.auditLog.append(tx, audit(campaign), now);
        return campaign;
      },
      { timeout: 120_000, maxWait: 10_000 },
    );
  }

  /** Records one decision and its audit event, unless the campaign closed meanwhile (then null). */
  async decide(itemId: string, change: { decision: AccessReviewDecision; keptScopes: string[]; justification: string; decidedBy: string; decidedById: string | null }, audit: AuditEntry, now: Date): Promise<AccessReviewItemRecord | null> {
    return this.prisma.$transaction(async (tx) => {
      const open = await tx.$queryRaw<{ id: string }[]>`
        SELECT c.id::text FROM access_review_items i JOIN access_review_campaigns c ON c.id = i.campaign_id
        WHERE i.id = ${itemId}::uuid AND c.status = 'active' FOR UPDATE OF c`;
      if (open.length === 0) {
        return null;
      }
      const item = (await tx.accessReviewItem.update({ where: { id: itemId }, data: { ...change, decidedAt: now } })) as AccessReviewItemRecord;
      await this.auditLog.append(tx, audit, now);
      return item;
    });
  }

  /**
   * Decides every item matching `filter` (and the campaign still active) except those granting
   * `identity`'s own access, with one audit event.
   * @returns how many were decided and how many were left because they grant the reviewer's own access
   */
  async decideMany(filter: AccessReviewItemFilter, identity: ReviewerIdentity, decision: BulkDecision, audit: (counts: { decided: number; ownAccess: number }) => AuditEntry): Promise<{ decided: number; ownAccess: number } | null> {
    return this.prisma.$transaction(
      async (tx) => {
        const open = await tx.$queryRaw<{ id: string }[]>`SELECT id::text FROM access_review_campaigns WHERE id = ${filter.campaignId}::uuid AND status = 'active' FOR UPDATE`;
        if (open.length === 0) {
          return null;
        }
        const where = itemWhere(filter);
        const own = grantsOwnAccess(identity);
        const decided = await tx.$executeRaw`
          UPDATE access_review_items i SET decision = ${decision.decision}::access_review_decision, kept_scopes = '{}', justification = ${decision.justification},
            decided_by = ${decision.decidedBy}, decided_by_id = ${decision.decidedById}::uuid, decided_at = ${decision.at}
          WHERE ${where} AND NOT ${own}`;
        const [skipped] = await tx.$queryRaw<{ count: bigint }[]>`SELECT count(*) AS count FROM access_review_items i WHERE ${where} AND ${own}`;
        const counts = { decided, ownAccess: Number(skipped?.count ?? 0) };
        await this.auditLog.append(tx, audit(counts), decision.at);
        return counts;
      },
      { timeout: 120_000 },
    );
  }

  /** Moves items to another reviewer (one item, or a reviewer's undecided items) with its audit event. */
  async reassign(filter: AccessReviewItemFilter & { itemId?: string }, reviewer: string, audit: (count: number) => AuditEntry, now: Date): Promise<number> {
    return this.prisma.$transaction(async (tx) => {
      const byId = filter.itemId === undefined ? Prisma.sql`TRUE` : Prisma.sql`i.id = ${filter.itemId}::uuid`;
      const count = await tx.$executeRaw`
        UPDATE access_review_items i SET reviewer = ${reviewer}
        FROM access_review_campaigns c
        WHERE c.id = i.campaign_id AND c.status = 'active' AND ${byId} AND ${itemWhere(filter)}`;
      await this.auditLog.append(tx, audit(count), now);
      return count;
    });
  }

  /**
   * Closes an active campaign: undecided items take its configured outcome, in one transaction with
   * the audit event.
   * @returns null when the campaign is not active
   */
  async close(campaignId: string, closedBy: string, audit: (record: AccessReviewCampaignRecord, counts: Record<string, number>) => AuditEntry, now: Date): Promise<AccessReviewCampaignRecord | null> {
    return this.prisma.$transaction(
      async (tx) => {
        const locked = await tx.$queryRaw<{ undecided_outcome: string }[]>`
          SELECT undecided_outcome FROM access_review_campaigns WHERE id = ${campaignId}::uuid AND status = 'active' FOR UPDATE`;
        if (locked.length === 0) {
          return null;
        }
        const undecided = await tx.$executeRaw`
          UPDATE access_review_items SET close_outcome = ${locked[0]!.undecided_outcome} WHERE campaign_id = ${campaignId}::uuid AND decision IS NULL`;
        const tally = await tx.$queryRaw<{ decision: string | null; count: bigint }[]>`
          SELECT decision::text, count(*) AS count FROM access_review_items WHERE campaign_id = ${campaignId}::uuid GROUP BY decision`;
        const counts: Record<string, number> = { undecided };
        for (const row of tally) {
          if (row.decision !== null) {
            counts[row.decision] = Number(row.count);
          }
        }
        const campaign = (await tx.accessReviewCampaign.update({ where: { id: campaignId }, data: { status: 'closed', closedAt: now, closedBy } })) as AccessReviewCampaignRecord;
        await this.auditLog.append(tx, audit(campaign, counts), now);
        return campaign;
      },
      { timeout: 120_000 },
    );
  }

  /** The active campaigns, for the reminder scan. */
  async activeCampaigns(): Promise<AccessReviewCampaignRecord[]> {
    return (await this.prisma.accessReviewCampaign.findMany({ where: { status: 'active' }, orderBy: { id: 'asc' } })) as AccessReviewCampaignRecord[];
  }

  /**
   * Records notification `step` for every reviewer of the campaign with undecided items (or only for
   * `reviewer`), unless that reviewer has it already: the unique (campaign, reviewer, step) key makes
   * this one statement idempotent across runs and workers.
   * @returns how many were recorded now
   */
  async recordNotifications(campaignId: string, step: string, kind: AccessReviewNotificationKind, now: Date, reviewer?: string): Promise<number> {
    return this.insertNotifications(this.prisma, campaignId, step, kind, now, reviewer);
  }

  private async insertNotifications(db: PrismaClient | Transaction, campaignId: string, step: string, kind: AccessReviewNotificationKind, now: Date, reviewer?: string): Promise<number> {
    const only = reviewer === undefined ? Prisma.sql`TRUE` : Prisma.sql`i.reviewer = ${reviewer}`;
    return db.$executeRaw`
      INSERT INTO access_review_notifications (id, campaign_id, reviewer, step, kind, undecided, created_at)
      SELECT gen_random_uuid(), i.campaign_id, i.reviewer, ${step}, ${kind}, count(*), ${now}
      FROM access_review_items i JOIN access_review_campaigns c ON c.id = i.campaign_id
      WHERE i.campaign_id = ${campaignId}::uuid AND c.status = 'active' AND i.decision IS NULL AND ${only}
      GROUP BY i.campaign_id, i.reviewer
      ON CONFLICT (campaign_id, reviewer, step) DO NOTHING`;
  }

  /**
   * Past due, once per campaign: moves every undecided item to the fallback reviewer, except those
   * that grant the fallback's own access (`fallback`, the identity behind their e-mail), which stay
   * where they are, marked with {@link escalationHeldReason}. The audit event and the fallback's
   * `escalated` notification commit with it.
   * @returns null when the campaign is not active or was escalated already
   */
  async escalate(campaignId: string, fallback: ReviewerIdentity, audit: (campaign: AccessReviewCampaignRecord, counts: EscalationCounts) => AuditEntry, now: Date): Promise<EscalationCounts | null> {
    return this.prisma.$transaction(
      async (tx) => {
        const locked = await tx.$queryRaw<{ fallback_reviewer: string }[]>`
          SELECT fallback_reviewer FROM access_review_campaigns WHERE id = ${campaignId}::uuid AND status = 'active' AND escalated_at IS NULL FOR UPDATE`;
        if (locked.length === 0) {
          return null;
        }
        const fallbackReviewer = locked[0]!.fallback_reviewer;
        const own = grantsOwnAccess(fallback);
        const pending = Prisma.sql`i.campaign_id = ${campaignId}::uuid AND i.decision IS NULL AND i.reviewer <> ${fallbackReviewer}`;
        const held = await tx.$executeRaw`UPDATE access_review_items i SET escalation_held = ${escalationHeldReason} WHERE ${pending} AND ${own}`;
        const moved = await tx.$queryRaw<{ reviewer: string; count: bigint }[]>`
          WITH moved AS (
            UPDATE access_review_items i SET escalated_from = i.reviewer, reviewer = ${fallbackReviewer}
            WHERE ${pending} AND NOT ${own} RETURNING escalated_from
          )
          SELECT escalated_from AS reviewer, count(*) AS count FROM moved GROUP BY escalated_from ORDER BY escalated_from`;
        const byReviewer = Object.fromEntries(moved.map((row) => [row.reviewer, Number(row.count)]));
        const counts = { escalated: Object.values(byReviewer).reduce((sum, count) => sum + count, 0), heldForSeparationOfDuties: held, byReviewer };
        const campaign = (await tx.accessReviewCampaign.update({ where: { id: campaignId }, data: { escalatedAt: now } })) as AccessReviewCampaignRecord;
        await this.insertNotifications(tx, campaignId, 'escalated', 'escalation', now, fallbackReviewer);
        await this.auditLog.append(tx, audit(campaign, counts), now);
        return counts;
      },
      { timeout: 120_000 },
    );
  }

  /** Notifications some configured channel has not had yet, oldest first. */
  async undeliveredNotifications(take: number): Promise<string[]> {
    const rows = await this.prisma.accessReviewNotification.findMany({ where: { deliveredAt: null }, orderBy: { createdAt: 'asc' }, take, select: { id: true } });
    return rows.map((row) => row.id);
  }

  async findNotification(id: string): Promise<AccessReviewNotificationRecord | null> {
    return (await this.prisma.accessReviewNotification.findUnique({
      where: { id },
      include: { campaign: { select: { name: true, status: true, dueAt: true } } },
    })) as AccessReviewNotificationRecord | null;
  }

  /** Marks one channel of a notification sent, or the whole notification delivered. */
  async markNotification(id: string, field: 'emailSentAt' | 'webhookSentAt' | 'deliveredAt', now: Date): Promise<void> {
    await this.prisma.accessReviewNotification.update({ where: { id }, data: { [field]: now } });
  }

  /** The campaign's items still to apply: decided revoke or narrow, or revoked by the close outcome. */
  async pendingRemediation(campaignId: string, itemIds?: readonly string[]): Promise<RemediationItem[]> {
    const only = itemIds === undefined ? Prisma.sql`TRUE` : Prisma.sql`id = ANY (${[...itemIds]}::uuid[])`;
    const rows = await this.prisma.$queryRaw<{ id: string; policy_id: string; client_id: string; resource_id: string; subject_type: AccessReviewSubjectType; subject_id: string | null; action: 'revoke' | 'narrow'; kept_scopes: string[] }[]>`
      SELECT id::text, policy_id::text, client_id::text, resource_id::text, subject_type, subject_id::text,
        CASE WHEN decision = 'narrow' THEN 'narrow' ELSE 'revoke' END AS action, kept_scopes
      FROM access_review_items
      WHERE campaign_id = ${campaignId}::uuid AND remediated_at IS NULL AND ${only}
        AND (decision IN ('revoke', 'narrow') OR (decision IS NULL AND close_outcome = 'revoke'))`;
    return rows.map((row) => ({
      id: row.id,
      policyId: row.policy_id,
      clientId: row.client_id,
      resourceId: row.resource_id,
      subjectType: row.subject_type,
      subjectId: row.subject_id,
      action: row.action,
      keptScopes: row.kept_scopes,
    }));
  }

  async markRemediated(itemIds: readonly string[], now: Date): Promise<void> {
    await this.prisma.$executeRaw`UPDATE access_review_items SET remediated_at = ${now} WHERE id = ANY (${[...itemIds]}::uuid[])`;
  }

  /** The users of each item (itself, a group's members, everyone) holding live tokens at the item's pair. */
  async liveTokenHolders(items: readonly RemediationItem[], now: Date): Promise<{ userId: string; clientId: string; resourceId: string }[]> {
    if (items.length === 0) {
      return [];
    }
    const rows = await this.prisma.$queryRaw<{ user_id: string; client_id: string; resource_id: string }[]>`
      WITH x AS (
        SELECT * FROM unnest(${items.map((item) => item.clientId)}::uuid[], ${items.map((item) => item.resourceId)}::uuid[], ${items.map((item) => item.subjectType)}::text[], ${items.map((item) => item.subjectId)}::uuid[])
          AS x(client_id, resource_id, subject_type, subject_id)
      )
      SELECT DISTINCT t.user_id::text, t.client_id::text, t.resource_id::text
      FROM x JOIN issued_tokens t ON t.client_id = x.client_id AND t.resource_id = x.resource_id
      WHERE t.user_id IS NOT NULL AND t.revoked_at IS NULL AND t.expires_at > ${now}
        AND (x.subject_type = 'everyone'
          OR (x.subject_type = 'user' AND t.user_id = x.subject_id)
          OR (x.subject_type = 'group' AND t.user_id IN (SELECT m.user_id FROM memberships m WHERE m.group_id = x.subject_id)))`;
    return rows.map((row) => ({ userId: row.user_id, clientId: row.client_id, resourceId: row.resource_id }));
  }

  /** Active legacy connections (vaulted key, service account) of pairs no active allow policy serves any more. */
  async orphanedLegacyConnections(pairs: readonly { clientId: string; resourceId: string }[]): Promise<string[]> {
    if (pairs.length === 0) {
      return [];
    }
    const rows = await this.prisma.$queryRaw<{ id: string }[]>`
      SELECT c.id::text FROM connections c
      JOIN unnest(${pairs.map((pair) => pair.clientId)}::uuid[], ${pairs.map((pair) => pair.resourceId)}::uuid[]) AS x(client_id, resource_id)
        ON x.client_id = c.client_id AND x.resource_id = c.resource_id
      WHERE c.deleted_at IS NULL AND c.status = 'active' AND c.pattern IN ('vaulted_key', 'service_account')
        AND NOT EXISTS (SELECT 1 FROM policies p WHERE p.client_id = c.client_id AND p.resource_id = c.resource_id AND p.deleted_at IS NULL AND p.status = 'active' AND p.effect = 'allow')`;
    return rows.map((row) => row.id);
  }

  /**
   * The campaign's items a page at a time in id order, after `afterId`, each rendered by PostgreSQL
   * as one line of the evidence pack: a JSON object, or a CSV row of `accessReviewCsvColumns`.
   */
  async exportPage(campaignId: string, afterId: string | null, take: number, format: 'csv' | 'json'): Promise<{ id: string; line: string }[]> {
    const after = afterId === null ? Prisma.sql`TRUE` : Prisma.sql`i.id > ${afterId}::uuid`;
    return this.prisma.$queryRaw<{ id: string; line: string }[]>`
      SELECT i.id::text AS id, ${format === 'json' ? jsonLine : csvLine} AS line FROM access_review_items i
      WHERE i.campaign_id = ${campaignId}::uuid AND ${after} ORDER BY i.id LIMIT ${take}`;
  }

  async audit(entry: AuditEntry, now: Date): Promise<void> {
    await this.prisma.$transaction((tx: Transaction) => this.auditLog.append(tx, entry, now));
  }

  /** The `campaign.exported` events of a campaign, newest first: what an evidence pack is checked against. */
  async exportEvents(campaignId: string): Promise<{ seq: bigint; at: Date; context: unknown }[]> {
    return this.prisma.auditEvent.findMany({ where: { action: 'campaign.exported', targetType: 'access-reviews', targetId: campaignId }, orderBy: { seq: 'desc' }, select: { seq: true, at: true, context: true } });
  }
}
