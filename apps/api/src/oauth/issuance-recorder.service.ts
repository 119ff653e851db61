/**
 * @overview The durable record of the token endpoint's decisions: for each request, its audit event
 * and, when a token was issued, its IssuedToken row, written together. Requests are committed in
 * groups (GroupCommit), and each caller waits for its own group's commit: a token is never handed
 * out before its record is on disk, and a refusal is answered only once it is audited.
 */
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';

import { type AuditEntry, AuditLogRepository, GroupCommit, type IssuedTokenRecord, IssuedTokenRepository, type PrismaClient } from '@crossgate/store';

import { InjectPrisma } from '../platform/platform.module.ts';

export interface Issuance {
  audit: AuditEntry;
  at: Date;
  /** The token issued, when one was. */
  issuedToken?: IssuedTokenRecord;
}

@Injectable()
export class IssuanceRecorder implements OnApplicationShutdown {
  private readonly group: GroupCommit<Issuance>;

  constructor(@InjectPrisma() prisma: PrismaClient, @Inject(AuditLogRepository) auditLog: AuditLogRepository) {
    const issuedTokens = new IssuedTokenRepository();
    this.group = new GroupCommit(
      async (issuances) => {
        await prisma.$transaction(async (tx) => {
          // Tokens before the audit events: the events take the chain's lock, held until commit, so the less after it the better.
          await issuedTokens.insertMany(tx, issuances.flatMap((issuance) => (issuance.issuedToken === undefined ? [] : [issuance.issuedToken])));
          await auditLog.appendMany(tx, issuances.map((issuance) => ({ entry: issuance.audit, at: issuance.at })));
        });
      },
      { maxConcurrentCommits: 2 },
    );
  }

  /** Resolves once the issuance is committed. */
  record(issuance: Issuance): Promise<void> {
    return this.group.submit(issuance);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.group.flushed();
  }
}
