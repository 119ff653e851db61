/**
 * @overview The durable record of the token endpoint's decisions: for each request, its audit event
 * and, when a token was issued, its IssuedToken row, written together. Requests are committed in
 * groups (GroupCommit over IssuanceBatchWriter), and each caller waits for its own group's commit:
 * a token is never handed out before its record is on disk, and a refusal is answered only once it
 * is audited. Each decision is also counted (`crossgate_token_decisions_total`): a refusal as it is
 * submitted (it is answered even when its record cannot be written), anything allowed once committed.
 */
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';

import { tokenDecisions } from '@crossgate/logging';
import { type AuditEntry, GroupCommit, IssuanceBatchWriter, type IssuedTokenRecord } from '@crossgate/store';

import { tokenDecisionOf } from './oauth-audit.ts';

export interface Issuance {
  audit: AuditEntry;
  at: Date;
  /** The token issued, when one was. */
  issuedToken?: IssuedTokenRecord;
}

@Injectable()
export class IssuanceRecorder implements OnApplicationShutdown {
  private readonly group: GroupCommit<Issuance>;

  constructor(@Inject(IssuanceBatchWriter) writer: IssuanceBatchWriter) {
    // One group in flight: the writer links each group to the one before without reading the head.
    this.group = new GroupCommit(
      (issuances) =>
        writer.write(
          issuances.flatMap((issuance) => (issuance.issuedToken === undefined ? [] : [issuance.issuedToken])),
          issuances.map((issuance) => ({ entry: issuance.audit, at: issuance.at })),
        ),
      { maxConcurrentCommits: 1 },
    );
  }

  /** Resolves once the issuance is committed. */
  record(issuance: Issuance): Promise<void> {
    const committed = this.group.submit(issuance);
    const decision = tokenDecisionOf(issuance.audit);
    if (decision === null) {
      return committed;
    }
    if (decision.outcome === 'denied') {
      tokenDecisions.inc(decision);
      return committed;
    }
    return committed.then(() => {
      tokenDecisions.inc(decision);
    });
  }

  /** Before the store closes the writer's connection. */
  async onApplicationShutdown(): Promise<void> {
    await this.group.flushed();
  }
}
