/**
 * @overview The vault's storage: secrets and their sealed versions in PostgreSQL. Values go in and
 * come out only through `EnvelopeCipher` (libs/vault); everything else this store returns is
 * metadata (version numbers, states, dates, the KEK id), so admin screens and audit entries can be
 * built from it without ever holding a value.
 *
 * Version states: `pending` (a rotation made it, not yet verified at the target) → `active` (handed
 * out; a partial unique index keeps it to one per secret) → `retiring` (replaced, still valid at the
 * target until `retireAt`) → `retired`; `failed` for a rotation that could not push or verify it.
 */
import { randomUUID } from 'node:crypto';

import { EnvelopeCipher, type KeyEncryptionKey, KeyRing, type SealedValue, VaultInputError } from '@crossgate/vault';

import type { PrismaClient, Transaction } from '../database.ts';
import type { SecretPurpose, SecretVersionState } from '../generated/prisma/enums.ts';

/** What may be shown about a version: everything but the value. */
export interface SecretVersionInfo {
  version: number;
  state: SecretVersionState;
  kekId: string;
  expiresAt: Date | null;
  activatedAt: Date | null;
  retireAt: Date | null;
  retiredAt: Date | null;
  createdAt: Date;
}

/** A version opened for its one legitimate reader. Callers must not log, audit or return `value` anywhere else. */
export interface OpenedSecret {
  secretId: string;
  version: number;
  value: Buffer;
  expiresAt: Date | null;
}

/** A version as stored: sealed, so it may sit in a short-lived cache; only `openSealed` reveals it. */
export interface SealedVersion extends SealedValue {
  secretId: string;
  version: number;
  expiresAt: Date | null;
}

/** Raised when a secret, or an active version of it, does not exist. */
export class SecretNotFoundError extends Error {
  override readonly name = 'SecretNotFoundError';
}

const versionInfoSelect = {
  version: true,
  state: true,
  kekId: true,
  expiresAt: true,
  activatedAt: true,
  retireAt: true,
  retiredAt: true,
  createdAt: true,
} as const;

type Db = PrismaClient | Transaction;

/** How the version that was active until now steps down when a new one becomes active. */
export type PreviousVersionFate = { retireAt: Date } | 'retire-now';

/** The configured KEKs (`Config['keys']`): the current one and those it replaced. */
export interface ConfiguredKeks {
  encryptionKeyId: string;
  encryptionKey: Uint8Array;
  previousEncryptionKeys: readonly KeyEncryptionKey[];
}

/** The key ring of the configured KEKs, current first. */
export function keyRingOf(keys: ConfiguredKeks): KeyRing {
  return new KeyRing({ id: keys.encryptionKeyId, key: keys.encryptionKey }, keys.previousEncryptionKeys);
}

export class SecretStore {
  /** A store over `prisma` that seals under the configured current KEK and opens under any configured one. */
  static fromConfig(prisma: PrismaClient, keys: ConfiguredKeks): SecretStore {
    return new SecretStore(prisma, new EnvelopeCipher(keyRingOf(keys)));
  }

  constructor(
    private readonly prisma: PrismaClient,
    private readonly cipher: EnvelopeCipher,
  ) {}

  /** Accepts a string (UTF-8) or bytes; refuses empty and oversized values with `VaultInputError`. */
  private static bytesOf(value: string | Uint8Array): Uint8Array {
    return typeof value === 'string' ? new Uint8Array(Buffer.from(value, 'utf8')) : value;
  }

  /**
   * Creates a secret whose version 1 is active. Pass `db` to join the caller's transaction, so the
   * owner row that points at the secret is written in the same commit.
   * @returns the new secret's id.
   */
  async create(input: { purpose: SecretPurpose; label: string; value: string | Uint8Array; expiresAt?: Date | null }, db: Db = this.prisma, now = new Date()): Promise<string> {
    const id = randomUUID();
    const sealed = this.cipher.seal(SecretStore.bytesOf(input.value), id, 1);
    await db.secret.create({
      data: {
        id,
        purpose: input.purpose,
        label: input.label,
        versions: { create: { version: 1, state: 'active', activatedAt: now, expiresAt: input.expiresAt ?? null, ...sealedColumns(sealed) } },
      },
    });
    return id;
  }

  /**
   * Adds the next version. `active` replaces the current version at once (it steps down as
   * `previous` says); `pending` waits for `activate`, as a rotation does until the target has
   * accepted and verified it. Numbers come from the highest version so far; two writers racing
   * collide on the (secret, version) key instead of both succeeding. Pass `db` to join the caller's
   * transaction (the audit event of the change in the same commit).
   */
  async addVersion(
    secretId: string,
    value: string | Uint8Array,
    options: { state: 'active' | 'pending'; expiresAt?: Date | null; previous?: PreviousVersionFate },
    now = new Date(),
    db?: Transaction,
  ): Promise<number> {
    const bytes = SecretStore.bytesOf(value);
    const work = async (tx: Transaction): Promise<number> => {
      const secret = await tx.secret.findUnique({ where: { id: secretId }, select: { versions: { select: { version: true }, orderBy: { version: 'desc' }, take: 1 } } });
      if (secret === null) {
        throw new SecretNotFoundError(`Secret ${secretId} does not exist`);
      }
      const version = (secret.versions[0]?.version ?? 0) + 1;
      const sealed = this.cipher.seal(bytes, secretId, version);
      if (options.state === 'active') {
        await stepDown(tx, secretId, options.previous ?? 'retire-now', now);
      }
      await tx.secretVersion.create({
        data: {
          secretId,
          version,
          state: options.state,
          activatedAt: options.state === 'active' ? now : null,
          expiresAt: options.expiresAt ?? null,
          ...sealedColumns(sealed),
        },
      });
      return version;
    };
    return db === undefined ? this.prisma.$transaction(work) : work(db);
  }

  /**
   * Makes a pending version the active one; the version active until now steps down as `previous` says.
   * `alsoInTransaction` runs in the same commit, so the owner's record of the change (a connection's
   * rotation state, an audit event) can never disagree with which version is active.
   */
  async activate(
    secretId: string,
    version: number,
    previous: PreviousVersionFate,
    now = new Date(),
    alsoInTransaction?: (tx: Transaction) => Promise<void>,
  ): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      await stepDown(tx, secretId, previous, now);
      const { count } = await tx.secretVersion.updateMany({ where: { secretId, version, state: 'pending' }, data: { state: 'active', activatedAt: now } });
      if (count !== 1) {
        throw new SecretNotFoundError(`Secret ${secretId} has no pending version ${version}`);
      }
      await alsoInTransaction?.(tx);
    });
  }

  /** The number of the secret's pending version (a rotation's, not yet activated), or null. At most one exists. */
  async pendingVersion(secretId: string): Promise<number | null> {
    const row = await this.prisma.secretVersion.findFirst({ where: { secretId, state: 'pending' }, select: { version: true } });
    return row?.version ?? null;
  }

  /**
   * Retires every version still usable (pending, active, retiring) at once: the secret's owner is
   * gone (a withdrawn consent, a replaced client secret). Pass `db` to join the caller's transaction.
   * @returns how many versions were retired.
   */
  async retire(secretId: string, db: Db = this.prisma, now = new Date()): Promise<number> {
    const { count } = await db.secretVersion.updateMany({
      where: { secretId, state: { in: ['pending', 'active', 'retiring'] } },
      data: { state: 'retired', retiredAt: now },
    });
    return count;
  }

  /** Retires every `retiring` version whose overlap window has ended; returns how many. */
  async retireDue(now = new Date()): Promise<number> {
    const { count } = await this.prisma.secretVersion.updateMany({ where: { state: 'retiring', retireAt: { lte: now } }, data: { state: 'retired', retiredAt: now } });
    return count;
  }

  /**
   * The active version, decrypted.
   * @throws SecretNotFoundError when there is none; VaultIntegrityError when it cannot be opened.
   */
  async current(secretId: string): Promise<OpenedSecret> {
    return this.openSealed(await this.currentSealed(secretId));
  }

  /**
   * The active version as stored, still sealed: what a reader may keep in memory for a moment
   * (the value stays encrypted until `openSealed`).
   * @throws SecretNotFoundError when there is none.
   */
  async currentSealed(secretId: string): Promise<SealedVersion> {
    const row = await this.prisma.secretVersion.findFirst({
      where: { secretId, state: 'active' },
      select: { secretId: true, version: true, ciphertext: true, nonce: true, wrappedKey: true, kekId: true, expiresAt: true },
    });
    if (row === null) {
      throw new SecretNotFoundError(`Secret ${secretId} has no active version`);
    }
    return row;
  }

  /** Decrypts a version read by `currentSealed`. @throws VaultIntegrityError when it cannot be opened. */
  openSealed(row: SealedVersion): OpenedSecret {
    return { secretId: row.secretId, version: row.version, value: this.cipher.open(row, row.secretId, row.version), expiresAt: row.expiresAt };
  }

  /** One version, decrypted, whatever its state (a rotation pushes its pending version). */
  async open(secretId: string, version: number): Promise<OpenedSecret> {
    const row = await this.prisma.secretVersion.findUnique({ where: { secretId_version: { secretId, version } } });
    if (row === null) {
      throw new SecretNotFoundError(`Secret ${secretId} has no version ${version}`);
    }
    return this.openSealed(row);
  }

  /** Every version's metadata, newest first. Never values. */
  versions(secretId: string): Promise<SecretVersionInfo[]> {
    return this.prisma.secretVersion.findMany({ where: { secretId }, select: versionInfoSelect, orderBy: { version: 'desc' } });
  }

  /**
   * Re-wraps up to `limit` data keys that an earlier KEK wrapped under the current one. The
   * ciphertext is untouched, and each row is updated only if its KEK id is still the one read, so
   * two runs at once never clobber each other. Run it until `remaining` is 0. Versions under a KEK
   * that is not configured at all cannot be moved; they are counted in `stranded`, so an operator
   * sees them before removing anything.
   */
  async rewrapBatch(limit = 500): Promise<{ rewrapped: number; remaining: number; stranded: number }> {
    const current = this.cipher.currentKekId;
    const movable = this.cipher.previousKekIds;
    const rows = await this.prisma.secretVersion.findMany({ where: { kekId: { in: movable } }, select: { id: true, wrappedKey: true, kekId: true }, take: limit, orderBy: { id: 'asc' } });
    let rewrapped = 0;
    for (const row of rows) {
      const moved = this.cipher.rewrap(row);
      const { count } = await this.prisma.secretVersion.updateMany({ where: { id: row.id, kekId: row.kekId }, data: { wrappedKey: Buffer.from(moved.wrappedKey), kekId: moved.kekId } });
      rewrapped += count;
    }
    const remaining = await this.prisma.secretVersion.count({ where: { kekId: { in: movable } } });
    const stranded = await this.prisma.secretVersion.count({ where: { kekId: { notIn: [current, ...movable] } } });
    return { rewrapped, remaining, stranded };
  }
}

function sealedColumns(sealed: SealedValue) {
  return { ciphertext: Buffer.from(sealed.ciphertext), nonce: Buffer.from(sealed.nonce), wrappedKey: Buffer.from(sealed.wrappedKey), kekId: sealed.kekId };
}

async function stepDown(tx: Transaction, secretId: string, previous: PreviousVersionFate, now: Date): Promise<void> {
  await tx.secretVersion.updateMany({
    where: { secretId, state: 'active' },
    data: previous === 'retire-now' ? { state: 'retired', retiredAt: now } : { state: 'retiring', retireAt: previous.retireAt },
  });
}

export { VaultInputError };
