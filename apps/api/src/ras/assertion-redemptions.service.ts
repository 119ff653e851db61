/**
 * @overview The single-use rule for ID-JAGs at the resource-side authorization servers (DESIGN.md
 * "Protocol decisions" 1; MCP stable: `jti` replay detection REQUIRED). Each redemption is decided by
 * PostgreSQL's primary key on (`iss`, `jti`) (RedeemedAssertionWriter), so two API instances
 * redeeming the same ID-JAG at the same moment get one winner, and a restart or a lost Redis forgets
 * nothing. Concurrent redemptions are grouped into one statement (GroupCommit). Rows of expired
 * assertions (refused as expired anyway) are dropped every few minutes by every instance.
 */
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';

import { type AssertionRedemption, GroupCommit, RedeemedAssertionWriter, type RedemptionOutcome } from '@crossgate/store';

import { Clock } from '../platform/index.ts';

interface PendingRedemption {
  redemption: AssertionRedemption;
  outcome?: RedemptionOutcome;
}

/** How often expired redemption records are dropped. */
const pruneIntervalMs = 5 * 60 * 1000;

@Injectable()
export class AssertionRedemptions implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('assertion-redemptions');
  private readonly group: GroupCommit<PendingRedemption>;
  private pruning: NodeJS.Timeout | undefined;

  constructor(
    @Inject(RedeemedAssertionWriter) private readonly writer: RedeemedAssertionWriter,
    private readonly clock: Clock,
  ) {
    this.group = new GroupCommit(
      async (pending) => {
        const outcomes = await writer.redeem(pending.map((item) => item.redemption));
        pending.forEach((item, index) => (item.outcome = outcomes[index]));
      },
      { maxConcurrentCommits: 2 },
    );
  }

  /** Records the redemption; resolves once committed with whether it was the first and whom it is about. */
  async redeem(redemption: AssertionRedemption): Promise<RedemptionOutcome> {
    const pending: PendingRedemption = { redemption };
    await this.group.submit(pending);
    if (pending.outcome === undefined) {
      throw new Error('The redemption was committed without an outcome');
    }
    return pending.outcome;
  }

  onModuleInit(): void {
    this.pruning = setInterval(() => {
      this.writer.pruneExpired(this.clock.now()).catch((error: unknown) => this.logger.warn(`Could not drop expired redemption records: ${error instanceof Error ? error.message : String(error)}`));
    }, pruneIntervalMs);
    this.pruning.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.pruning);
    // Before the store closes the writer's connections.
    await this.group.flushed();
  }
}
