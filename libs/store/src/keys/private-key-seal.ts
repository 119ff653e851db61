/**
 * @overview Private signing keys at rest: a private JWK sealed as a compact JWE under the
 * key-encryption key (KEK), with jose's public API only. `alg: dir` + `enc: A256GCM` encrypts the JWK
 * directly with the 32-byte KEK (AES-GCM authenticates the protected header too), and the header's
 * `kid` names the KEK, so a row says which KEK opens it.
 * @see RFC 7516 §3.1 (compact serialisation), RFC 7518 §4.5 (`dir`), §5.3 (`A256GCM`)
 */
import { CompactEncrypt, compactDecrypt, decodeProtectedHeader, exportJWK, importJWK, type CryptoKey, type JWK } from 'jose';

import type { SigningAlgorithm } from '@crossgate/token';

/** The configured KEK (`Config['keys']`): 32 bytes and its id. */
export interface KeyEncryptionKey {
  id: string;
  key: Uint8Array;
}

/** The content type of a sealed private key, so it is never mistaken for another JWE. */
const sealedContentType = 'jwk+json';

export class PrivateKeySeal {
  private readonly byId: ReadonlyMap<string, KeyEncryptionKey>;

  /** Seals under `kek`; opens what `kek` or any of `previous` sealed (until the re-wrap job has re-sealed it). */
  constructor(
    private readonly kek: KeyEncryptionKey,
    previous: readonly KeyEncryptionKey[] = [],
  ) {
    for (const candidate of [kek, ...previous]) {
      if (candidate.key.byteLength !== 32) {
        throw new TypeError('The key-encryption key must be exactly 32 bytes');
      }
    }
    this.byId = new Map([kek, ...previous].map((candidate) => [candidate.id, candidate]));
  }

  get kekId(): string {
    return this.kek.id;
  }

  /** The KEKs this seal opens but no longer seals under. */
  get previousKekIds(): string[] {
    return [...this.byId.keys()].filter((id) => id !== this.kek.id);
  }

  /** Seals an extractable private key as a compact JWE. */
  async seal(privateKey: CryptoKey): Promise<string> {
    return this.sealJwk(await exportJWK(privateKey));
  }

  /**
   * Opens a sealed key as a non-extractable signing key.
   * @throws Error when the JWE was sealed under a KEK that is not configured, or fails authentication.
   */
  async open(jwe: string, alg: SigningAlgorithm): Promise<CryptoKey> {
    const jwk = await this.openJwk(jwe);
    const key = await importJWK(jwk, alg, { extractable: false });
    if (key instanceof Uint8Array || key.type !== 'private') {
      throw new Error('A sealed signing key must hold a private key');
    }
    return key;
  }

  /** Opens a JWE sealed under any configured KEK and seals its key again under the current one. */
  async reseal(jwe: string): Promise<string> {
    return this.sealJwk(await this.openJwk(jwe));
  }

  private sealJwk(jwk: JWK): Promise<string> {
    return new CompactEncrypt(new TextEncoder().encode(JSON.stringify(jwk)))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: this.kek.id, cty: sealedContentType })
      .encrypt(this.kek.key);
  }

  private async openJwk(jwe: string): Promise<JWK> {
    const { kid } = decodeProtectedHeader(jwe);
    const kek = typeof kid === 'string' ? this.byId.get(kid) : undefined;
    if (kek === undefined) {
      throw new Error(`This signing key was sealed under key-encryption key "${String(kid)}", which is not configured (current: "${this.kek.id}")`);
    }
    const { plaintext } = await compactDecrypt(jwe, kek.key, {
      keyManagementAlgorithms: ['dir'],
      contentEncryptionAlgorithms: ['A256GCM'],
    });
    return JSON.parse(new TextDecoder().decode(plaintext)) as JWK;
  }
}
