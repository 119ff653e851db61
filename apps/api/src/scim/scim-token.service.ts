/**
 * @overview The bearer token a trusted IdP's SCIM 2.0 client provisions with (RFC 7644 §2): one per
 * IdP, random, shown once when made, stored only as its SHA-256 digest. Making a new one replaces
 * the old one at once. The audit event, in the same transaction, says that it changed, never the token.
 */
import { Injectable } from '@nestjs/common';
import { z } from 'zod';

import { AuditLogRepository, type PrismaClient } from '@crossgate/store';

import { digest, randomSecret, type RequestContext } from '../auth/index.ts';
import { AdminApiError } from '../http/index.ts';
import { Clock, InjectPrisma } from '../platform/index.ts';

/** SCIM tokens start with this, so a leaked one is recognisable (and scannable) for what it is. */
export const scimTokenPrefix = 'cgscim_';

export interface IssuedScimToken {
  idpId: string;
  /** Shown once; Crossgate keeps only its digest. */
  token: string;
  prefix: string;
  createdAt: Date;
}

/** The IdP a SCIM request comes from, found by its bearer token. */
export interface ScimClient {
  idpId: string;
  idpName: string;
  tokenId: string;
}

const idSchema = z.uuid();

@Injectable()
export class ScimTokenService {
  constructor(
    @InjectPrisma() private readonly prisma: PrismaClient,
    private readonly audit: AuditLogRepository,
    private readonly clock: Clock,
  ) {}

  /** Makes the IdP's SCIM token, replacing any it had. */
  async rotate(idpId: string, request: RequestContext): Promise<IssuedScimToken> {
    if (!idSchema.safeParse(idpId).success) {
      throw new AdminApiError('not_found', `No trusted IdP with id "${idpId.slice(0, 64)}"`);
    }
    const token = `${scimTokenPrefix}${randomSecret(32)}`;
    const prefix = token.slice(0, scimTokenPrefix.length + 6);
    return this.prisma.$transaction(async (tx) => {
      const now = this.clock.now();
      const idp = await tx.trustedIdp.findFirst({ where: { id: idpId, deletedAt: null }, select: { id: true, name: true } });
      if (idp === null) {
        throw new AdminApiError('not_found', `No trusted IdP with id "${idpId}"`);
      }
      const previous = await tx.scimToken.findUnique({ where: { idpId }, select: { prefix: true } });
      const row = await tx.scimToken.upsert({
        where: { idpId },
        create: { idpId, prefix, tokenHash: digest(token), createdAt: now },
        update: { prefix, tokenHash: digest(token), createdAt: now, lastUsedAt: null },
      });
      await this.audit.append(
        tx,
        {
          actor: request.actor,
          action: previous === null ? 'trusted_idp.scim_token_create' : 'trusted_idp.scim_token_rotate',
          target: { type: 'trusted-idps', id: idpId },
          decision: 'allow',
          requestId: request.requestId,
          // Key names that mention tokens are redacted by the audit log, so say what happened plainly.
          context: { idp: idp.name, prefix, replacedPrefix: previous?.prefix ?? null },
        },
        now,
      );
      return { idpId, token, prefix, createdAt: row.createdAt };
    });
  }

  /** The active, not deleted IdP whose SCIM token this is, or null. */
  async clientOf(token: string): Promise<ScimClient | null> {
    if (!token.startsWith(scimTokenPrefix) || token.length > 200) {
      return null;
    }
    // The lookup is by digest: equal digests of a 256-bit random value are the comparison.
    const row = await this.prisma.scimToken.findUnique({ where: { tokenHash: digest(token) }, select: { id: true, lastUsedAt: true, idp: { select: { id: true, name: true, status: true, deletedAt: true } } } });
    if (row === null || row.idp.status !== 'active' || row.idp.deletedAt !== null) {
      return null;
    }
    const now = this.clock.now();
    if (row.lastUsedAt === null || now.getTime() - row.lastUsedAt.getTime() > 60_000) {
      await this.prisma.scimToken.update({ where: { id: row.id }, data: { lastUsedAt: now } });
    }
    return { idpId: row.idp.id, idpName: row.idp.name, tokenId: row.id };
  }
}
