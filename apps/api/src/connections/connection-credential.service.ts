/**
 * @overview The key (vaulted_key) or password (service_account) of a connection, as the admin API
 * writes it and the token endpoint hands it out. Values go straight into the vault (SecretStore,
 * envelope-encrypted) and come out only in the one legitimate retrieval response: never in a record,
 * an error, a log line or an audit event (which say which version, never what it is).
 *
 * Setting a credential creates the connection's Secret on first use, else adds a new active version
 * and retires the previous one at once (a scheduled rotation, with its overlap window, is the
 * rotation worker's job). The version, the connection's pointer to its secret and the audit event
 * are one transaction.
 */
import { Injectable, Logger } from '@nestjs/common';
import { z } from 'zod';

import { type AuditEntry, AuditLogRepository, CrudRepository, type OpenedSecret, type Enums, type SealedVersion, SecretStore, type SecretVersionInfo, type Transaction } from '@crossgate/store';
import { maxSecretBytes } from '@crossgate/vault';

import type { RequestContext } from '../auth/index.ts';
import { AdminApiError, parseBody } from '../http/index.ts';
import { Clock } from '../platform/index.ts';
import { PolicyEngineService } from '../policies/index.ts';
import { bumpPolicyVersion } from '../crud/index.ts';

/** The patterns whose agent receives a stored credential. */
export const credentialPatterns = ['vaulted_key', 'service_account'] as const;
export type CredentialPattern = (typeof credentialPatterns)[number];

export function takesCredential(pattern: string): pattern is CredentialPattern {
  return (credentialPatterns as readonly string[]).includes(pattern);
}

/** A connection as a secret write sees it. */
export interface LiveConnection {
  id: string;
  pattern: string;
  credentialSecretId: string | null;
  rotationHookSecretId: string | null;
}

/** Where on a connection a vaulted value lives, and what its secret is for. */
export interface ConnectionSecretSlot {
  column: 'credentialSecretId' | 'rotationHookSecretId';
  purpose: Enums.SecretPurpose;
  /** Names the secret for people (never its value): `<label> of connection <id>`. */
  label: string;
}

/** The key (vaulted_key) or password (service_account) the agent receives. */
export const credentialSlot: ConnectionSecretSlot = { column: 'credentialSecretId', purpose: 'connection_credential', label: 'credential' };

/** What Crossgate presents to the connection's rotation hook. */
export const rotationHookSlot: ConnectionSecretSlot = { column: 'rotationHookSecretId', purpose: 'rotation_hook_credential', label: 'rotation hook' };

/** What the admin API answers after a write: the new version's metadata, never the value. */
export interface CredentialSetView {
  connectionId: string;
  keyVersion: number;
  expiresAt: Date | null;
}

const idSchema = z.uuid();

const credentialBody = z.strictObject({
  value: z.string().min(1, 'must not be empty'),
  expiresAt: z.iso.datetime({ offset: true }).nullable().optional(),
});

/**
 * How long a sealed active version is reused. A credential set through this instance is handed out
 * at once; through another instance, or a rotation's activation, within this time (a rotated
 * credential's predecessor stays valid through its overlap window anyway).
 */
export const sealedVersionMaxAgeMs = 1_000;

/** `lastUsedAt` is written at most this often per connection: a retrieval must not cost a write. */
export const lastUsedWriteIntervalMs = 60_000;

@Injectable()
export class ConnectionCredentialService {
  private readonly logger = new Logger('connection-credentials');
  /** Connection id → when this instance last wrote its `lastUsedAt`. */
  private readonly lastUsedWritten = new Map<string, number>();
  /** Secret id → its active version, still sealed, and when it was read. */
  private readonly sealed = new Map<string, { version: Promise<SealedVersion>; readAt: number }>();

  constructor(
    private readonly repository: CrudRepository,
    private readonly audit: AuditLogRepository,
    private readonly secrets: SecretStore,
    private readonly clock: Clock,
    private readonly policyEngine: PolicyEngineService,
  ) {}

  /** `PUT /api/connections/:id/credential`. */
  async set(id: string, body: unknown, request: RequestContext): Promise<CredentialSetView> {
    const connectionId = this.knownId(id);
    const input = parseBody(credentialBody, body);
    const size = Buffer.byteLength(input.value, 'utf8');
    if (size > maxSecretBytes) {
      throw new AdminApiError('bad_request', `The credential is too large: at most ${maxSecretBytes} bytes, this one has ${size}`, { value: `at most ${maxSecretBytes} bytes` });
    }
    const now = this.clock.now();
    const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
    if (expiresAt !== null && expiresAt <= now) {
      throw AdminApiError.validation({ expiresAt: 'must be in the future' });
    }
    const view = await this.vault(connectionId, credentialSlot, input.value, {
      expiresAt,
      now,
      accept: (connection) => {
        if (!takesCredential(connection.pattern)) {
          throw new AdminApiError('bad_request', `This is a ${connection.pattern} connection; only vaulted_key and service_account connections take a credential`);
        }
      },
      audit: (connection, keyVersion) => ({
        actor: request.actor,
        action: 'connection_credential_set',
        target: { type: 'connections', id: connection.id },
        decision: 'allow',
        requestId: request.requestId,
        context: { connectionId: connection.id, pattern: connection.pattern, keyVersion, expiresAt: expiresAt?.toISOString() ?? null, firstVersion: keyVersion === 1 },
      }),
    });
    return { connectionId, keyVersion: view.keyVersion, expiresAt };
  }

  /**
   * Vaults `value` in one of a connection's secret slots: the first write creates the secret and
   * links it to the connection, a later one adds an active version and retires the previous one at
   * once. The version, the link and the audit event are one transaction, under a lock per connection
   * and slot, so two first writes never make two secrets. `accept` may refuse the connection (by
   * throwing) before anything is written; `audit` describes the write with its new version.
   */
  async vault(
    connectionId: string,
    slot: ConnectionSecretSlot,
    value: string,
    options: { expiresAt?: Date | null; now: Date; accept?: (connection: LiveConnection) => void; audit: (connection: LiveConnection, keyVersion: number) => AuditEntry },
  ): Promise<{ keyVersion: number }> {
    let created = false;
    const view = await this.repository.transaction(async (tx) => {
      await this.repository.lock(tx, `connection-${slot.column}:${connectionId}`);
      const connection = await this.liveConnection(connectionId, tx);
      options.accept?.(connection);
      const secretId = connection[slot.column];
      let keyVersion: number;
      if (secretId === null) {
        const newSecretId = await this.secrets.create({ purpose: slot.purpose, label: `${slot.label} of connection ${connection.id}`, value, expiresAt: options.expiresAt ?? null }, tx, options.now);
        await this.repository.update(tx, 'connection', { id: connection.id }, { [slot.column]: newSecretId });
        if (slot.column === 'credentialSecretId') {
          // The token endpoint reads a connection's credential secret id from the directory at the policy version.
          await bumpPolicyVersion({ updateMany: (model, where, data) => this.repository.updateMany(tx, model, where, data) });
          created = true;
        }
        keyVersion = 1;
      } else {
        keyVersion = await this.secrets.addVersion(secretId, value, { state: 'active', expiresAt: options.expiresAt ?? null, previous: 'retire-now' }, options.now, tx);
      }
      await this.audit.append(tx, options.audit(connection, keyVersion), options.now);
      return { keyVersion, secretId };
    });
    // This instance hands out the new version from the next retrieval on.
    if (view.secretId !== null) {
      this.sealed.delete(view.secretId);
    }
    if (created) {
      await this.policyEngine.announceChange();
    }
    return { keyVersion: view.keyVersion };
  }

  /** `GET /api/connections/:id/versions`: metadata, newest first; empty before the first credential. */
  async versions(id: string): Promise<SecretVersionInfo[]> {
    const connection = await this.liveConnection(this.knownId(id));
    return connection.credentialSecretId === null ? [] : this.secrets.versions(connection.credentialSecretId);
  }

  /**
   * The active version of a connection's credential, for the token endpoint's one legitimate answer.
   * The sealed row is reused for up to `sealedVersionMaxAgeMs`, so a busy connection costs one read
   * a second instead of one per retrieval; it is decrypted on every call, and plaintext is never kept.
   * A failed read is not kept either, so nothing is handed out from a row that could not be read.
   */
  async current(secretId: string): Promise<OpenedSecret> {
    const now = this.clock.now().getTime();
    let entry = this.sealed.get(secretId);
    if (entry === undefined || now - entry.readAt >= sealedVersionMaxAgeMs || now < entry.readAt) {
      const fresh = { version: this.secrets.currentSealed(secretId), readAt: now };
      fresh.version.catch(() => {
        if (this.sealed.get(secretId) === fresh) {
          this.sealed.delete(secretId);
        }
      });
      this.sealed.set(secretId, fresh);
      entry = fresh;
    }
    return this.secrets.openSealed(await entry.version);
  }

  /** Records that the connection was used, at most once a minute per connection on this instance; never delays the caller. */
  markUsed(connectionId: string): void {
    const now = this.clock.now();
    const last = this.lastUsedWritten.get(connectionId);
    if (last !== undefined && now.getTime() - last < lastUsedWriteIntervalMs) {
      return;
    }
    this.lastUsedWritten.set(connectionId, now.getTime());
    this.repository
      .transaction((tx) => this.repository.updateMany(tx, 'connection', { id: connectionId }, { lastUsedAt: now }))
      .catch((error: unknown) => {
        this.lastUsedWritten.delete(connectionId);
        this.logger.warn(`Could not record the last use of connection ${connectionId}: ${error instanceof Error ? error.message : String(error)}`);
      });
  }

  private knownId(id: string): string {
    if (!idSchema.safeParse(id).success) {
      throw new AdminApiError('not_found', `No connection with id "${id.slice(0, 64)}"`);
    }
    return id;
  }

  private async liveConnection(id: string, tx?: Transaction): Promise<LiveConnection> {
    const row = await this.repository.findOne('connection', { id, deletedAt: null }, tx);
    if (!row) {
      throw new AdminApiError('not_found', `No connection with id "${id}"`);
    }
    return {
      id,
      pattern: row['pattern'] as string,
      credentialSecretId: (row['credentialSecretId'] as string | null) ?? null,
      rotationHookSecretId: (row['rotationHookSecretId'] as string | null) ?? null,
    };
  }
}
