/**
 * @overview Kill switches as the token endpoint reads them: every active switch, in one small query.
 * Rows stay few (a switch is an incident measure, lifted afterwards), so callers keep the whole
 * active set in memory for a fraction of a second instead of asking per request.
 */
import type { PrismaClient } from '../database.ts';

export interface ActiveKillSwitch {
  id: string;
  scope: 'user' | 'client' | 'app_pair' | 'resource' | 'idp' | 'everything';
  userId: string | null;
  clientId: string | null;
  resourceId: string | null;
  idpId: string | null;
}

export class KillSwitchRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** Every switch not lifted, earliest first. */
  active(): Promise<ActiveKillSwitch[]> {
    return this.prisma.killSwitch.findMany({
      where: { liftedAt: null },
      select: { id: true, scope: true, userId: true, clientId: true, resourceId: true, idpId: true },
      orderBy: { activatedAt: 'asc' },
    });
  }
}
