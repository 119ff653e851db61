/**
 * @overview The kill switches a token request must pass: any active switch on everything, the user,
 * the client, the IdP, the resource or the app pair refuses it. Asked on every token request, so it
 * is one indexed query written in SQL (the query-builder's per-query cost is most of a request's
 * budget at thousands of requests a second).
 */
import type { PrismaClient } from '../database.ts';

/** What a token request is about; `resourceId` is absent when no target was resolved. */
export interface KillSwitchSubjects {
  userId: string;
  clientId: string;
  idpId: string;
  resourceId?: string | undefined;
}

export interface ActiveKillSwitch {
  id: string;
  scope: string;
}

export class KillSwitchRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** The earliest active kill switch covering any of `subjects`, or null. */
  async firstCovering(subjects: KillSwitchSubjects): Promise<ActiveKillSwitch | null> {
    const resourceId = subjects.resourceId ?? null;
    const rows = await this.prisma.$queryRaw<ActiveKillSwitch[]>`
      SELECT id::text AS id, scope::text AS scope FROM kill_switches
      WHERE lifted_at IS NULL AND (
        scope = 'everything'
        OR (scope = 'user' AND user_id = ${subjects.userId}::uuid)
        OR (scope = 'client' AND client_id = ${subjects.clientId}::uuid)
        OR (scope = 'idp' AND idp_id = ${subjects.idpId}::uuid)
        OR (scope = 'resource' AND resource_id = ${resourceId}::uuid)
        OR (scope = 'app_pair' AND client_id = ${subjects.clientId}::uuid AND resource_id = ${resourceId}::uuid)
      )
      ORDER BY activated_at LIMIT 1`;
    return rows[0] ?? null;
  }
}
