import { randomBytes } from 'node:crypto';

import { EnvelopeCipher, maxSecretBytes, type SealedValue, VaultInputError, VaultIntegrityError } from './envelope.ts';
import { developmentKek, KeyRing, kekWeakness } from './key-ring.ts';

const kek = (id: string) => ({ id, key: new Uint8Array(randomBytes(32)) });
const text = (value: Buffer) => value.toString('utf8');

describe('EnvelopeCipher', () => {
  const first = kek('kek-1');
  const cipher = new EnvelopeCipher(new KeyRing(first));
  const secretId = '6b1c2f0e-8a51-4c36-9d7e-0f1d2a3b4c5d';

  it('opens what it sealed, and stores neither the value nor the data key in the clear', () => {
    const value = Buffer.from('sk_live_planted-value-1234567890');
    const sealed = cipher.seal(value, secretId, 1);
    expect(text(cipher.open(sealed, secretId, 1))).toBe('sk_live_planted-value-1234567890');
    expect(Buffer.from(sealed.ciphertext).includes(value)).toBe(false);
    expect(sealed).toMatchObject({ kekId: 'kek-1' });
    expect(sealed.nonce.byteLength).toBe(12);
    expect(sealed.wrappedKey.byteLength).toBe(40);
  });

  it('uses a fresh data key and nonce for every version, so equal values never look equal', () => {
    const value = Buffer.from('same value');
    const one = cipher.seal(value, secretId, 1);
    const two = cipher.seal(value, secretId, 1);
    expect(Buffer.from(one.wrappedKey).equals(Buffer.from(two.wrappedKey))).toBe(false);
    expect(Buffer.from(one.nonce).equals(Buffer.from(two.nonce))).toBe(false);
    expect(Buffer.from(one.ciphertext).equals(Buffer.from(two.ciphertext))).toBe(false);
  });

  it('refuses a ciphertext moved to another secret or version, or altered by one bit', () => {
    const sealed = cipher.seal(Buffer.from('bound to its row'), secretId, 3);
    expect(() => cipher.open(sealed, '00000000-0000-4000-8000-000000000000', 3)).toThrow(VaultIntegrityError);
    expect(() => cipher.open(sealed, secretId, 4)).toThrow(VaultIntegrityError);
    const flipped: SealedValue = { ...sealed, ciphertext: Buffer.from(sealed.ciphertext) };
    (flipped.ciphertext as Buffer)[0] = ((flipped.ciphertext as Buffer)[0] as number) ^ 1;
    expect(() => cipher.open(flipped, secretId, 3)).toThrow(VaultIntegrityError);
  });

  it('says why it refuses, without the value', () => {
    expect(() => cipher.seal(Buffer.alloc(0), secretId, 1)).toThrow(VaultInputError);
    const huge = Buffer.alloc(maxSecretBytes + 1, 'x');
    expect(() => cipher.seal(huge, secretId, 1)).toThrow(`at most ${maxSecretBytes} bytes`);
  });

  it('re-wraps a data key under a new KEK without touching the ciphertext, and the old KEK can then go', () => {
    const sealed = cipher.seal(Buffer.from('survives a KEK rotation'), secretId, 1);
    const second = kek('kek-2');
    const during = new EnvelopeCipher(new KeyRing(second, [first]));
    expect(during.needsRewrap(sealed)).toBe(true);
    expect(text(during.open(sealed, secretId, 1))).toBe('survives a KEK rotation');
    const moved = { ...sealed, ...during.rewrap(sealed) };
    expect(moved.kekId).toBe('kek-2');
    expect(during.needsRewrap(moved)).toBe(false);
    const after = new EnvelopeCipher(new KeyRing(second));
    expect(text(after.open(moved, secretId, 1))).toBe('survives a KEK rotation');
    expect(() => after.open(sealed, secretId, 1)).toThrow('"kek-1" is not configured');
  });

  it('refuses a data key wrapped under a KEK that only shares the id', () => {
    const sealed = cipher.seal(Buffer.from('x'), secretId, 1);
    const impostor = new EnvelopeCipher(new KeyRing(kek('kek-1')));
    expect(() => impostor.open(sealed, secretId, 1)).toThrow(VaultIntegrityError);
  });
});

describe('kekWeakness', () => {
  it('accepts random bytes and names what is wrong with weak ones', () => {
    expect(kekWeakness(new Uint8Array(randomBytes(32)))).toBeNull();
    expect(kekWeakness(new Uint8Array(16))).toMatch(/exactly 32 bytes/);
    expect(kekWeakness(new Uint8Array(32))).toMatch(/not random/);
    expect(kekWeakness(new Uint8Array(Buffer.from('password'.repeat(4))))).toMatch(/not random/);
    expect(kekWeakness(Uint8Array.from({ length: 32 }, (_, index) => index + 7))).toMatch(/counting sequence/);
    expect(kekWeakness(developmentKek.key)).toMatch(/development key/);
  });
});

describe('KeyRing', () => {
  it('refuses two keys under one id', () => {
    expect(() => new KeyRing(kek('a'), [kek('a')])).toThrow('its own id');
  });
});
