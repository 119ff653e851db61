/**
 * @overview The vault's cryptography: envelope encryption of secret values under per-version data
 * keys, wrapped by a rotatable key-encryption key. Storage lives in libs/store.
 */
export * from './key-ring.ts';
export * from './envelope.ts';
