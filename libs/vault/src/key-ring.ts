/**
 * @overview Key-encryption keys (KEKs): the configured current one, which wraps every new data key,
 * and the earlier ones, kept only to unwrap what they wrapped until the re-wrap job has moved it all
 * to the current one. A KEK never leaves this module's callers except as its id.
 */
import { createHash } from 'node:crypto';

/** A 32-byte AES-256 key-encryption key and the id stored beside everything it wraps. */
export interface KeyEncryptionKey {
  id: string;
  key: Uint8Array;
}

export const kekLength = 32;

/**
 * Outside production only, when no KEK is configured: a fixed KEK anyone can derive, so a
 * development or demo database keeps working across restarts. What it seals is not secret.
 */
export const developmentKek: KeyEncryptionKey = {
  id: 'development-kek-not-secret',
  key: new Uint8Array(createHash('sha256').update('crossgate development key-encryption key, NOT SECRET').digest()),
};

/** Fewer distinct byte values than this in 32 bytes is all but impossible for random bytes (p < 1e-20). */
const minimumDistinctBytes = 16;

/**
 * Why a configured KEK must not be used, or null when it looks like 32 random bytes: the wrong
 * length, the public development KEK, or too few distinct bytes (a repeated character, a short
 * passphrase padded out, a counting sequence folded over).
 */
export function kekWeakness(key: Uint8Array): string | null {
  if (key.byteLength !== kekLength) {
    return `must be exactly ${kekLength} bytes, not ${key.byteLength}`;
  }
  if (Buffer.from(key).equals(Buffer.from(developmentKek.key))) {
    return 'is the published development key, which anyone can derive';
  }
  if (new Set(key).size < minimumDistinctBytes) {
    return 'is not random: generate one with `openssl rand 32 | basenc --base64url | tr -d =`';
  }
  const ascending = key.every((byte, index) => index === 0 || byte === ((key[index - 1] as number) + 1) % 256);
  if (ascending) {
    return 'is a counting sequence, not random bytes';
  }
  return null;
}

/** The current KEK and the earlier ones still needed to unwrap older data keys. */
export class KeyRing {
  private readonly byId: ReadonlyMap<string, KeyEncryptionKey>;

  constructor(
    readonly current: KeyEncryptionKey,
    previous: readonly KeyEncryptionKey[] = [],
  ) {
    const all = [current, ...previous];
    for (const kek of all) {
      if (kek.key.byteLength !== kekLength) {
        throw new TypeError(`Key-encryption key "${kek.id}" must be exactly ${kekLength} bytes`);
      }
    }
    const ids = new Set(all.map((kek) => kek.id));
    if (ids.size !== all.length) {
      throw new TypeError('Every key-encryption key needs its own id');
    }
    this.byId = new Map(all.map((kek) => [kek.id, kek]));
  }

  /** The ids the ring can unwrap, current first. */
  get ids(): string[] {
    return [...this.byId.keys()];
  }

  /**
   * The KEK with this id.
   * @throws Error naming the id when the ring does not hold it (it was removed from configuration too early).
   */
  key(id: string): KeyEncryptionKey {
    const kek = this.byId.get(id);
    if (kek === undefined) {
      throw new Error(`Key-encryption key "${id}" is not configured; add it to PREVIOUS_KEY_ENCRYPTION_KEYS until the re-wrap job has run`);
    }
    return kek;
  }
}
