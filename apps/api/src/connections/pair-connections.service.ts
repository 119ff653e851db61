/**
 * @overview What a managed connection of an app pair (client → resource) hands out, once the token
 * exchange (RFC 8693) has authenticated the subject and policy has allowed the pair: which of the
 * pair's connections serves the request, and, for a pattern other than xaa, the answer itself.
 *
 * The strongest active pattern serves (xaa > sts > vaulted_key > service_account) unless
 * `requested_token_type` names one; a pattern the pair has no connection for → `invalid_request`, a
 * disabled connection → `invalid_grant`. sts hands out a short-lived upstream access token from the
 * StsBroker; vaulted_key and service_account the current version of the vaulted credential (a
 * service account past its sunset date, or a connection without a credential → `invalid_grant`).
 * The caller's record of the issuance is committed before anything leaves.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';

import { type ConnectionPattern, connectionPatternStrength, connectionTokenTypes } from '@crossgate/domain';

import { OAuthError } from '../http/index.ts';
import { Clock } from '../platform/index.ts';
import type { DirectoryConnectionRow } from '../policies/index.ts';
import { StsBroker } from '../sts/index.ts';
import { openConnectionCredential } from './connection-credential-opening.ts';
import { ConnectionCredentialService } from './connection-credential.service.ts';

/** The connection that serves the request, or the refusal to answer once policy has decided (so it is audited with the decision). */
export type ConnectionChoice = { connection: DirectoryConnectionRow | null } | { refusal: OAuthError; connection?: DirectoryConnectionRow };

/** RFC 8693 §2.2.1, with the extra members of the vaulted-key and service-account answers. */
export interface HandedOut {
  issued_token_type: string;
  access_token: string;
  token_type: string;
  expires_in?: number;
  scope?: string;
  /** vaulted_key, service_account: which version of the credential this is. */
  key_version?: number;
  /** service_account: the account the password belongs to. */
  username?: string;
  /** service_account: when the connection stops working (ISO 8601). */
  sunset_at?: string;
  /** service_account: the weakest pattern, flagged for the agent's own logs. */
  legacy?: true;
}

/** What a hand-out tells the exchange's audit trail as it goes: the step it is at, and the credential's version. */
export interface HandOutTrail {
  step: string;
  keyVersion?: number;
}

/** One hand-out: for whom, with which scopes (those the agent asked for, narrowed by policy), and how its issuance is recorded. */
export interface HandOutRequest {
  userId: string;
  /** Set only when the agent asked for scopes; else the upstream token carries what the user consented to. */
  scopes: readonly string[] | undefined;
  trail: HandOutTrail;
  /** Commits the issuance's record; nothing leaves unless it resolves. */
  record: (at: Date) => Promise<void>;
}

@Injectable()
export class PairConnections {
  readonly logger = new Logger('token-exchange');

  constructor(
    @Inject(Clock) private readonly clock: Clock,
    @Inject(ConnectionCredentialService) readonly credentials: ConnectionCredentialService,
    @Inject(StsBroker) private readonly stsBroker: StsBroker,
  ) {}

  /**
   * Which of the pair's connections serves the request: none when the pair has none (plain XAA), the
   * one `requested_token_type` names, else the strongest active one.
   */
  choose(connections: readonly DirectoryConnectionRow[], requested: ConnectionPattern | undefined): ConnectionChoice {
    if (connections.length === 0) {
      return { connection: null };
    }
    if (requested !== undefined) {
      const named = connections.find((connection) => connection.pattern === requested);
      if (named === undefined) {
        return { refusal: new OAuthError('invalid_request', `Wrong pattern for the request: this client has no ${requested} connection to this resource`) };
      }
      return named.status === 'active' ? { connection: named } : { refusal: new OAuthError('invalid_grant', `The ${requested} connection of this client to this resource is disabled`), connection: named };
    }
    const best = connectionPatternStrength.map((pattern) => connections.find((connection) => connection.pattern === pattern && connection.status === 'active')).find((connection) => connection !== undefined);
    return best === undefined ? { refusal: new OAuthError('invalid_grant', 'Every connection of this client to this resource is disabled') } : { connection: best };
  }

  /** What an sts, vaulted_key or service_account connection hands out. */
  handOut(connection: DirectoryConnectionRow, request: HandOutRequest): Promise<HandedOut> {
    const pattern = connection.pattern;
    switch (pattern) {
      case 'sts':
        return this.brokerUpstreamToken(connection, request);
      case 'vaulted_key':
      case 'service_account':
        return this.retrieveCredential(connection, pattern, request);
      case 'xaa':
        throw new Error('An xaa connection is served by minting an ID-JAG');
      default: {
        const unreachable: never = pattern;
        throw new Error(`Unknown connection pattern ${String(unreachable)}`);
      }
    }
  }

  /**
   * sts: a short-lived upstream access token of the user at the connection's OAuth provider. The
   * upstream scopes are fixed at consent; scopes the agent asks for (narrowed by policy) must be among
   * them, and without any the token carries what the user consented to.
   */
  private async brokerUpstreamToken(connection: DirectoryConnectionRow, request: HandOutRequest): Promise<HandedOut> {
    request.trail.step = 'sts';
    const access = await this.stsBroker.accessTokenFor({
      connectionId: connection.id,
      userId: request.userId,
      ...(request.scopes === undefined ? {} : { scopes: request.scopes }),
    });
    const now = this.clock.now();
    await request.record(now);
    this.credentials.markUsed(connection.id);
    return {
      issued_token_type: connectionTokenTypes.sts,
      access_token: access.accessToken,
      token_type: 'Bearer',
      expires_in: Math.max(0, Math.floor((access.expiresAt.getTime() - now.getTime()) / 1000)),
      scope: access.scope,
    };
  }

  /**
   * vaulted_key and service_account: the active version of the connection's credential. The
   * `secret_retrieval` audit event (which version, never the value) is committed before it leaves.
   */
  private async retrieveCredential(connection: DirectoryConnectionRow, pattern: 'vaulted_key' | 'service_account', request: HandOutRequest): Promise<HandedOut> {
    const { trail } = request;
    trail.step = 'credential';
    const now = this.clock.now();
    if (pattern === 'service_account' && (connection.sunsetAt === null || connection.sunsetAt <= now)) {
      throw new OAuthError('invalid_grant', `The service account passed its sunset date${connection.sunsetAt === null ? '' : ` (${connection.sunsetAt.toISOString()})`} and can no longer be used`);
    }
    if (connection.credentialSecretId === null) {
      throw new OAuthError('invalid_grant', 'The connection has no credential set');
    }
    const opened = await openConnectionCredential(this, { id: connection.id, credentialSecretId: connection.credentialSecretId }, now, (version) => {
      trail.keyVersion = version;
    });
    try {
      trail.step = 'record';
      await request.record(now);
      this.credentials.markUsed(connection.id);
      const value = opened.value.toString('utf8');
      const common = { issued_token_type: connectionTokenTypes[pattern], access_token: value, token_type: 'N_A', key_version: opened.version };
      if (pattern === 'vaulted_key') {
        return { ...common, ...(opened.expiresAt === null ? {} : { expires_in: Math.floor((opened.expiresAt.getTime() - now.getTime()) / 1000) }) };
      }
      return { ...common, username: connection.accountName ?? '', sunset_at: (connection.sunsetAt as Date).toISOString(), legacy: true };
    } finally {
      opened.value.fill(0);
    }
  }
}
