/**
 * @overview Just-in-time users from ID tokens: the user is found by IdP + `sub`, created when new,
 * and its email, name and ID-token group memberships refreshed from the token's claims.
 *
 * Most ID tokens a busy token endpoint sees say exactly what the last one from the same user said,
 * so an unchanged answer is remembered for {@link reuseForMs}, and only while the policy version is
 * the one it was read at: an admin write to a user, group or membership bumps that version, so a
 * user disabled or moved to another group is read afresh at once, never served from memory.
 */
import { Injectable } from '@nestjs/common';

import type { PrismaClient } from '@crossgate/store';

import { Clock, InjectPrisma } from '../platform/index.ts';
import { OAuthError } from '../http/index.ts';

/** What an ID token says about its user. */
export interface IdTokenIdentity {
  idpId: string;
  subject: string;
  email: string | undefined;
  displayName: string | undefined;
  groups: readonly string[];
}

export interface ProvisionedUser {
  id: string;
  groupIds: string[];
}

/** How long an unchanged user is served from memory; also how stale `lastSeenAt` may be. */
export const reuseForMs = 60_000;
const maxRemembered = 50_000;

interface Remembered {
  claims: string;
  version: bigint;
  at: number;
  user: ProvisionedUser;
}

@Injectable()
export class UserProvisioningService {
  private readonly remembered = new Map<string, Remembered>();

  constructor(
    @InjectPrisma() private readonly prisma: PrismaClient,
    private readonly clock: Clock,
  ) {}

  /**
   * The active user the identity names, created or refreshed, with every group they are in.
   * @param version the policy version the caller decides at
   * @throws OAuthError `invalid_grant` when the user is disabled or deleted
   */
  async provision(identity: IdTokenIdentity, version: bigint): Promise<ProvisionedUser> {
    const key = `${identity.idpId}\n${identity.subject}`;
    const claims = JSON.stringify([identity.email ?? null, identity.displayName ?? null, [...new Set(identity.groups)].sort()]);
    const now = this.clock.now();
    const known = this.remembered.get(key);
    if (known !== undefined && known.claims === claims && known.version === version && now.getTime() - known.at < reuseForMs) {
      return known.user;
    }
    this.remembered.delete(key);
    const user = await this.write(identity, now);
    if (this.remembered.size >= maxRemembered) {
      this.remembered.delete(this.remembered.keys().next().value!);
    }
    this.remembered.set(key, { claims, version, at: now.getTime(), user });
    return user;
  }

  /**
   * An existing user by id, as a live session names them (the MCP gateway acting for the user of an
   * access token), with the IdP that vouched for them and every group they are in; nothing is written.
   * @throws OAuthError `invalid_grant` when the user is unknown, disabled or deleted
   */
  async known(userId: string): Promise<ProvisionedUser & { idpIssuer: string; subject: string; email: string | undefined }> {
    const user = await this.prisma.user.findUnique({
      where: { id: userId },
      select: { id: true, status: true, deletedAt: true, subject: true, email: true, idp: { select: { issuer: true } }, memberships: { where: { group: { deletedAt: null } }, select: { groupId: true } } },
    });
    if (user === null || user.status !== 'active' || user.deletedAt !== null) {
      throw new OAuthError('invalid_grant', `The user is ${user === null ? 'unknown' : user.deletedAt !== null ? 'deleted' : user.status}`);
    }
    return { id: user.id, groupIds: user.memberships.map((membership) => membership.groupId), idpIssuer: user.idp.issuer, subject: user.subject, email: user.email ?? undefined };
  }

  private write(identity: IdTokenIdentity, now: Date): Promise<ProvisionedUser> {
    const { idpId, subject, email, displayName } = identity;
    return this.prisma.$transaction(async (tx) => {
      const user = await tx.user.upsert({
        where: { idpId_subject: { idpId, subject } },
        create: { idpId, subject, email: email ?? null, displayName: displayName ?? null, lastSeenAt: now },
        update: { lastSeenAt: now, ...(email === undefined ? {} : { email }), ...(displayName === undefined ? {} : { displayName }) },
        select: { id: true, status: true, deletedAt: true },
      });
      if (user.status !== 'active' || user.deletedAt !== null) {
        throw new OAuthError('invalid_grant', `The user is ${user.deletedAt !== null ? 'deleted' : user.status}`);
      }
      // Groups named by this IdP (or created by an administrator); a name another IdP owns is not taken over.
      const names = [...new Set(identity.groups)];
      if (names.length > 0) {
        await tx.group.createMany({ data: names.map((name) => ({ name, idpId })), skipDuplicates: true });
      }
      const groups = names.length === 0 ? [] : await tx.group.findMany({ where: { name: { in: names }, deletedAt: null, OR: [{ idpId }, { idpId: null }] }, select: { id: true } });
      const groupIds = groups.map((group) => group.id);
      await tx.membership.deleteMany({ where: { userId: user.id, source: 'id_token', groupId: { notIn: groupIds } } });
      if (groupIds.length > 0) {
        await tx.membership.createMany({ data: groupIds.map((groupId) => ({ userId: user.id, groupId, source: 'id_token' as const })), skipDuplicates: true });
      }
      const memberships = await tx.membership.findMany({ where: { userId: user.id, group: { deletedAt: null } }, select: { groupId: true } });
      return { id: user.id, groupIds: memberships.map((membership) => membership.groupId) };
    });
  }
}
