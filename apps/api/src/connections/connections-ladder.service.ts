/**
 * @overview The migration ladder: how many connections each pattern holds, weakest rung first
 * (service account → vaulted key → STS → XAA), so the dashboard shows at a glance how much of the
 * estate still has to climb. Every pattern is listed, with zero when it has none.
 */
import { Inject, Injectable } from '@nestjs/common';

import type { ConnectionPattern } from '@crossgate/domain';
import { ConnectionLadderRepository, type PatternCount } from '@crossgate/store';

/** The rungs, from the weakest pattern to the target one. */
export const ladderOrder: readonly ConnectionPattern[] = ['service_account', 'vaulted_key', 'sts', 'xaa'];

export interface ConnectionLadder {
  patterns: PatternCount[];
  /** Every live connection, whatever its pattern or status. */
  total: number;
}

@Injectable()
export class ConnectionsLadderService {
  constructor(@Inject(ConnectionLadderRepository) private readonly connections: ConnectionLadderRepository) {}

  async ladder(): Promise<ConnectionLadder> {
    const counted = new Map((await this.connections.countByPattern()).map((entry) => [entry.pattern, entry]));
    const patterns = ladderOrder.map((pattern) => counted.get(pattern) ?? { pattern, count: 0, active: 0 });
    return { patterns, total: patterns.reduce((sum, entry) => sum + entry.count, 0) };
  }
}
