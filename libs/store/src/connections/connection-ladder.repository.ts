/**
 * @overview The estate of managed connections counted by pattern: one grouped query over the live
 * (not deleted) rows, so the dashboard's migration ladder costs the same for ten connections or ten
 * thousand.
 */
import type { ConnectionPattern } from '@crossgate/domain';

import type { PrismaClient } from '../database.ts';

export interface PatternCount {
  pattern: ConnectionPattern;
  /** Every live connection of the pattern, whatever its status. */
  count: number;
  /** Those of them whose status is `active`. */
  active: number;
}

export class ConnectionLadderRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** One entry per pattern that has at least one live connection, in no particular order. */
  async countByPattern(): Promise<PatternCount[]> {
    const groups = await this.prisma.connection.groupBy({
      by: ['pattern', 'status'],
      where: { deletedAt: null },
      _count: { _all: true },
    });
    const counts = new Map<ConnectionPattern, PatternCount>();
    for (const group of groups) {
      const entry = counts.get(group.pattern) ?? { pattern: group.pattern, count: 0, active: 0 };
      entry.count += group._count._all;
      if (group.status === 'active') {
        entry.active += group._count._all;
      }
      counts.set(group.pattern, entry);
    }
    return [...counts.values()];
  }
}
