/**
 * @overview Private signing keys at rest: a private JWK sealed as a compact JWE under the
 * key-encryption key (KEK), with jose's public API only. `alg: dir` + `enc: A256GCM` encrypts the JWK
 * directly with the 32-byte KEK (AES-GCM authenticates the protected header too), and the header's
 * `kid` names the KEK, so a row says which KEK opens it.
 * @see RFC 7516 §3.1 (compact serialisation), RFC 7518 §4.5 (`dir`), §5.3 (`A256GCM`)
 */
import { CompactEncrypt, compactDecrypt, decodeProtectedHeader, exportJWK, importJWK, type CryptoKey, type JWK } from 'jose';

import type { SigningAlgorithm } from '@crossgate/token';
import type { KeyRing } from '@crossgate/vault';

/** The content type of a sealed private key, so it is never mistaken for another JWE. */
const sealedContentType = 'jwk+json';

export class PrivateKeySeal {
  /** Seals under the ring's current KEK; opens what any KEK of the ring sealed (until the re-wrap job has re-sealed it). */
  constructor(private readonly keys: KeyRing) {}

  get kekId(): string {
    return this.keys.current.id;
  }

  /** The KEKs this seal opens but no longer seals under. */
  get previousKekIds(): string[] {
    return this.keys.ids.slice(1);
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
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: this.keys.current.id, cty: sealedContentType })
      .encrypt(this.keys.current.key);
  }

  private async openJwk(jwe: string): Promise<JWK> {
    const { kid } = decodeProtectedHeader(jwe);
    if (typeof kid !== 'string' || !this.keys.ids.includes(kid)) {
      throw new Error(`This signing key was sealed under key-encryption key "${String(kid)}", which is not configured (current: "${this.keys.current.id}")`);
    }
    const kek = this.keys.key(kid);
    const { plaintext } = await compactDecrypt(jwe, kek.key, {
      keyManagementAlgorithms: ['dir'],
      contentEncryptionAlgorithms: ['A256GCM'],
    });
    return JSON.parse(new TextDecoder().decode(plaintext)) as JWK;
  }
}
