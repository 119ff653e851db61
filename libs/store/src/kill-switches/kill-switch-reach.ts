/**
 * @overview What a kill switch reaches, as SQL: the live tokens it revokes, the STS consents whose
 * refresh tokens are revoked at their providers, the vaulted credentials rotated (or disabled), and
 * the SSF receivers told. The preview counts these rows and the fan-out acts on the same rows, so the
 * blast radius shown before firing is the one the receipt then lists.
 *
 * Who is reached, per scope:
 * - tokens: the user's, the client's, the resource's, the pair's, one user's at the pair (a
 *   connection: its pair's, for XAA),
 *   the IdP's users', or every live token;
 * - STS consents: the user's, the IdP's users', or those on the connections below;
 * - connections (credential rotation and STS consents): the client's, the resource's, the pair's, the
 *   one connection, or all of them; a user or an IdP shares its agents' keys with everyone else, so
 *   those are left alone;
 * - receivers: every enabled stream, except that a switch on one resource (or a pair or connection at
 *   it) skips streams bound to other resources.
 */
import { Prisma } from '../generated/prisma/client.ts';

import type { KillSwitchScope } from '@crossgate/domain';

/** A switch's scope with the ids it names (`connection` also carries its pair, resolved at firing). */
export interface KillSwitchReach {
  scope: KillSwitchScope;
  userId?: string | null;
  clientId?: string | null;
  resourceId?: string | null;
  connectionId?: string | null;
  idpId?: string | null;
  /** For `connection`: the connection's pattern (its tokens are the pair's only for `xaa`). */
  connectionPattern?: string | null;
}

const none = Prisma.sql`FALSE`;
const all = Prisma.sql`TRUE`;

function uuid(value: string | null | undefined): Prisma.Sql {
  if (value === null || value === undefined) {
    throw new Error('A kill switch scope is missing the id it names');
  }
  return Prisma.sql`${value}::uuid`;
}

/** Condition on `issued_tokens t` (joined with nothing): the tokens in reach, live or not. */
export function tokensInReach(reach: KillSwitchReach): Prisma.Sql {
  switch (reach.scope) {
    case 'user':
      return Prisma.sql`t.user_id = ${uuid(reach.userId)}`;
    case 'client':
      return Prisma.sql`t.client_id = ${uuid(reach.clientId)}`;
    case 'resource':
      return Prisma.sql`t.resource_id = ${uuid(reach.resourceId)}`;
    case 'app_pair':
      return Prisma.sql`t.client_id = ${uuid(reach.clientId)} AND t.resource_id = ${uuid(reach.resourceId)}`;
    case 'user_app_pair':
      return Prisma.sql`t.user_id = ${uuid(reach.userId)} AND t.client_id = ${uuid(reach.clientId)} AND t.resource_id = ${uuid(reach.resourceId)}`;
    case 'connection':
      return reach.connectionPattern === 'xaa' ? Prisma.sql`t.client_id = ${uuid(reach.clientId)} AND t.resource_id = ${uuid(reach.resourceId)}` : none;
    case 'idp':
      return Prisma.sql`t.user_id IN (SELECT id FROM users WHERE idp_id = ${uuid(reach.idpId)})`;
    case 'everything':
      return all;
    default: {
      const unreachable: never = reach.scope;
      throw new Error(`Unknown kill switch scope ${String(unreachable)}`);
    }
  }
}

/** Condition on `connections c`: the connections whose credentials and consents are in reach. */
export function connectionsInReach(reach: KillSwitchReach): Prisma.Sql {
  switch (reach.scope) {
    case 'user':
    case 'user_app_pair':
    case 'idp':
      return none;
    case 'client':
      return Prisma.sql`c.client_id = ${uuid(reach.clientId)}`;
    case 'resource':
      return Prisma.sql`c.resource_id = ${uuid(reach.resourceId)}`;
    case 'app_pair':
      return Prisma.sql`c.client_id = ${uuid(reach.clientId)} AND c.resource_id = ${uuid(reach.resourceId)}`;
    case 'connection':
      return Prisma.sql`c.id = ${uuid(reach.connectionId)}`;
    case 'everything':
      return all;
    default: {
      const unreachable: never = reach.scope;
      throw new Error(`Unknown kill switch scope ${String(unreachable)}`);
    }
  }
}

/** Condition on `sts_consents s`: the consents in reach (active or not). */
export function consentsInReach(reach: KillSwitchReach): Prisma.Sql {
  switch (reach.scope) {
    case 'user':
      return Prisma.sql`s.user_id = ${uuid(reach.userId)}`;
    case 'idp':
      return Prisma.sql`s.user_id IN (SELECT id FROM users WHERE idp_id = ${uuid(reach.idpId)})`;
    case 'user_app_pair':
      return Prisma.sql`s.user_id = ${uuid(reach.userId)} AND s.connection_id IN (SELECT c.id FROM connections c WHERE c.deleted_at IS NULL AND c.client_id = ${uuid(reach.clientId)} AND c.resource_id = ${uuid(reach.resourceId)})`;
    case 'client':
    case 'resource':
    case 'app_pair':
    case 'connection':
    case 'everything':
      return Prisma.sql`s.connection_id IN (SELECT c.id FROM connections c WHERE c.deleted_at IS NULL AND ${connectionsInReach(reach)})`;
  }
}

/** Condition on `ssf_streams r`: the receivers told. */
export function receiversInReach(reach: KillSwitchReach): Prisma.Sql {
  switch (reach.scope) {
    case 'resource':
    case 'app_pair':
    case 'user_app_pair':
    case 'connection':
      return Prisma.sql`(r.resource_id IS NULL OR r.resource_id = ${uuid(reach.resourceId)})`;
    case 'user':
    case 'client':
    case 'idp':
    case 'everything':
      return all;
  }
}

/** Live: not revoked and not expired at `now`. */
export function liveToken(now: Date): Prisma.Sql {
  return Prisma.sql`t.revoked_at IS NULL AND t.expires_at > ${now}`;
}

/** CAEP 1.0 §3.1: the event type a kill switch's SETs carry. */
const sessionRevokedEventType = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';

/** Streams that receive kill-switch SETs now: enabled, and asking for CAEP session-revoked events. */
export const enabledReceiver = Prisma.sql`r.deleted_at IS NULL AND r.status = 'enabled' AND ${sessionRevokedEventType} = ANY (r.events_requested)`;

/** Connections whose credential Crossgate rotates or disables: active vaulted keys and service accounts. */
export const vaultedConnection = Prisma.sql`c.deleted_at IS NULL AND c.status = 'active' AND c.pattern IN ('vaulted_key', 'service_account')`;

/**
 * Receivers bound to a resource, each with that resource's issued tokens (`r` and `t`): the pairs
 * that get a SET per token. The explicit `IS NOT NULL` lets the planner drop the unbound receivers
 * before the join instead of probing the tokens once per receiver.
 */
export const boundReceiverTokens = Prisma.sql`ssf_streams r JOIN issued_tokens t ON r.resource_id IS NOT NULL AND t.resource_id = r.resource_id`;
