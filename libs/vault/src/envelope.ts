/**
 * @overview Envelope encryption of secret material. Every secret version gets a fresh random data key
 * (DEK); the value is encrypted with AES-256-GCM under that DEK, a random 96-bit nonce, and
 * associated data naming the secret and version, so a ciphertext copied to another row fails to
 * open. The DEK is stored only wrapped by a key-encryption key (AES key wrap, RFC 3394) together
 * with the KEK's id, so rotating the KEK re-wraps 40-byte DEKs and never touches the ciphertext.
 *
 * A nonce repeats only if a DEK encrypts twice; a DEK encrypts exactly one value, so none can.
 * @see NIST SP 800-38D (GCM), RFC 3394 (AES key wrap)
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

import type { KeyRing } from './key-ring.ts';

/** What a secret version stores: never the DEK or the value in the clear. */
export interface SealedValue {
  /** AES-256-GCM ciphertext followed by its 16-byte tag. */
  ciphertext: Uint8Array;
  /** 12 random bytes, used once. */
  nonce: Uint8Array;
  /** The DEK wrapped under KEK `kekId` (RFC 3394, 40 bytes). */
  wrappedKey: Uint8Array;
  kekId: string;
}

/** The largest value the vault keeps: keys, passwords and refresh tokens, not files. */
export const maxSecretBytes = 16 * 1024;

const tagLength = 16;
const keyWrapIv = Buffer.from('A6A6A6A6A6A6A6A6', 'hex');

/** Raised for input the vault refuses (size, empty value); never carries the value itself. */
export class VaultInputError extends Error {
  override readonly name = 'VaultInputError';
}

/** Raised when a sealed value cannot be opened: wrong row, wrong KEK, or tampered bytes. */
export class VaultIntegrityError extends Error {
  override readonly name = 'VaultIntegrityError';
}

/** Binds a ciphertext to its secret and version. */
function associatedData(secretId: string, version: number): Buffer {
  return Buffer.from(`crossgate-secret:${secretId}:${version}`, 'utf8');
}

function wrap(dek: Buffer, kek: Uint8Array): Buffer {
  const cipher = createCipheriv('id-aes256-wrap', kek, keyWrapIv);
  return Buffer.concat([cipher.update(dek), cipher.final()]);
}

function unwrap(wrapped: Uint8Array, kek: Uint8Array): Buffer {
  const decipher = createDecipheriv('id-aes256-wrap', kek, keyWrapIv);
  return Buffer.concat([decipher.update(wrapped), decipher.final()]);
}

export class EnvelopeCipher {
  constructor(private readonly keys: KeyRing) {}

  /** The id of the KEK new data keys are wrapped under. */
  get currentKekId(): string {
    return this.keys.current.id;
  }

  /**
   * Encrypts one version of a secret under a fresh DEK.
   * @throws VaultInputError for an empty value or one over `maxSecretBytes`.
   */
  seal(value: Uint8Array, secretId: string, version: number): SealedValue {
    if (value.byteLength === 0) {
      throw new VaultInputError('A secret value cannot be empty');
    }
    if (value.byteLength > maxSecretBytes) {
      throw new VaultInputError(`A secret value may be at most ${maxSecretBytes} bytes; this one has ${value.byteLength}`);
    }
    const dek = randomBytes(32);
    const nonce = randomBytes(12);
    try {
      const cipher = createCipheriv('aes-256-gcm', dek, nonce, { authTagLength: tagLength });
      cipher.setAAD(associatedData(secretId, version));
      const ciphertext = Buffer.concat([cipher.update(value), cipher.final(), cipher.getAuthTag()]);
      return { ciphertext, nonce, wrappedKey: wrap(dek, this.keys.current.key), kekId: this.keys.current.id };
    } finally {
      dek.fill(0);
    }
  }

  /**
   * Decrypts a version sealed by `seal` under any KEK of the ring.
   * @throws VaultIntegrityError when the bytes, the row or the KEK do not match.
   */
  open(sealed: SealedValue, secretId: string, version: number): Buffer {
    const kek = this.keys.key(sealed.kekId);
    let dek: Buffer | undefined;
    try {
      dek = unwrap(sealed.wrappedKey, kek.key);
      const body = sealed.ciphertext.subarray(0, sealed.ciphertext.byteLength - tagLength);
      const tag = sealed.ciphertext.subarray(sealed.ciphertext.byteLength - tagLength);
      const decipher = createDecipheriv('aes-256-gcm', dek, sealed.nonce, { authTagLength: tagLength });
      decipher.setAAD(associatedData(secretId, version));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(body), decipher.final()]);
    } catch (cause) {
      throw new VaultIntegrityError(`Secret ${secretId} version ${version} cannot be opened: it was altered, moved, or sealed under another key`, { cause });
    } finally {
      dek?.fill(0);
    }
  }

  /** The earlier KEKs this cipher can still unwrap with. */
  get previousKekIds(): string[] {
    return this.keys.ids.slice(1);
  }

  /** True when the DEK is wrapped under an earlier KEK and the re-wrap job should move it. */
  needsRewrap(sealed: Pick<SealedValue, 'kekId'>): boolean {
    return sealed.kekId !== this.keys.current.id;
  }

  /** The same DEK wrapped under the current KEK; the ciphertext and nonce stay as they are. */
  rewrap(sealed: Pick<SealedValue, 'wrappedKey' | 'kekId'>): Pick<SealedValue, 'wrappedKey' | 'kekId'> {
    const dek = unwrap(sealed.wrappedKey, this.keys.key(sealed.kekId).key);
    try {
      return { wrappedKey: wrap(dek, this.keys.current.key), kekId: this.keys.current.id };
    } finally {
      dek.fill(0);
    }
  }
}
