import { randomBytes } from 'node:crypto';

import { ConfigError, databaseUrlOf, loadConfig, requireRedis } from './config.ts';

function configErrorOf(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      return error;
    }
    throw error;
  }
  throw new Error('loadConfig accepted an invalid environment');
}

describe('loadConfig', () => {
  it('should report every bad variable in one ConfigError', () => {
    const error = configErrorOf({
      PORT: 'eighty',
      DATABASE_URL: 'mysql://db.example.test/crossgate',
      REDIS_URL: 'http://cache.example.test',
      BOOTSTRAP_ADMIN_PASSWORD: 'short',
      BODY_LIMIT: 'a lot',
    });

    const variables = error.problems.map((problem) => problem.split(':')[0]).sort();
    expect(variables).toEqual(['BODY_LIMIT', 'BOOTSTRAP_ADMIN_PASSWORD', 'DATABASE_URL', 'PORT', 'REDIS_URL']);
    for (const variable of variables) {
      expect(error.message).toContain(variable);
    }
  });

  it('should say what a bad URL must look like', () => {
    const error = configErrorOf({ DATABASE_URL: 'mysql://db.example.test/crossgate' });

    expect(error.problems).toEqual(['DATABASE_URL: must be a postgresql:// URL']);
  });

  it('should need no services by default: the embedded PostgreSQL under ./.crossgate, no Redis, one process', () => {
    const config = loadConfig({});

    expect(config.database).toEqual({ url: undefined, dataDir: '.crossgate', queueSchema: 'bullmq' });
    expect(config.redis.url).toBeUndefined();
    expect(config.singleProcess).toBe(true);
    expect(loadConfig({ CROSSGATE_DATA_DIR: '/var/lib/crossgate' }).database.dataDir).toBe('/var/lib/crossgate');
  });

  it('should take a queue schema only as a plain PostgreSQL identifier, since it is written into SQL', () => {
    expect(loadConfig({ QUEUE_SCHEMA: 'crossgate_staging_queues' }).database.queueSchema).toBe('crossgate_staging_queues');
    expect(configErrorOf({ QUEUE_SCHEMA: 'bullmq"; DROP SCHEMA public; --' }).problems).toEqual(['QUEUE_SCHEMA: must be a lower-case PostgreSQL identifier']);
  });

  it('should run the worker on its own when REDIS_URL is set, unless SINGLE_PROCESS says otherwise', () => {
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).singleProcess).toBe(false);
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', SINGLE_PROCESS: 'true' }).singleProcess).toBe(true);
    expect(loadConfig({ SINGLE_PROCESS: 'false' }).singleProcess).toBe(false);
  });

  it('should name the part that needs Redis, or a database URL, when it is missing', () => {
    const config = loadConfig({});

    expect(() => requireRedis(config.redis, 'the kill-switch queue')).toThrow('REDIS_URL: is unset, and the kill-switch queue needs Redis');
    expect(() => databaseUrlOf(config)).toThrow('DATABASE_URL: is unset, and no embedded PostgreSQL was started');
    const set = loadConfig({ DATABASE_URL: 'postgresql://db.example.test/crossgate', REDIS_URL: 'redis://cache.example.test:6379', REDIS_PREFIX: 'cg' });
    expect(requireRedis(set.redis, 'the kill-switch queue')).toEqual({ url: 'redis://cache.example.test:6379', prefix: 'cg' });
    expect(databaseUrlOf(set)).toBe('postgresql://db.example.test/crossgate');
  });

  it('should treat empty variables as unset, so their defaults apply', () => {
    const config = loadConfig({ DATABASE_URL: '', BODY_LIMIT: '' });

    expect(config.database.url).toBeUndefined();
    expect(config.http.bodyLimit).toBe('100kb');
    expect(config.http.bodyLimitBytes).toBe(100 * 1024);
    expect(loadConfig({ BODY_LIMIT: '2MB' }).http.bodyLimitBytes).toBe(2 * 1024 * 1024);
  });

  it('should mark cookies Secure when the public URL is https', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://crossgate.example.test/' }).session.secureCookies).toBe(true);
    expect(loadConfig({ PUBLIC_URL: 'http://localhost:3000' }).session.secureCookies).toBe(false);
  });
});

describe('loadConfig: the key-encryption key', () => {
  const kekBytes = randomBytes(32);
  const kek = kekBytes.toString('base64url');
  const PAIRWISE_SUBJECT_SECRET = Buffer.alloc(32, 9).toString('base64url');

  it('should refuse to start in production without a KEY_ENCRYPTION_KEY', () => {
    expect(configErrorOf({ NODE_ENV: 'production', PAIRWISE_SUBJECT_SECRET }).problems).toEqual([
      'KEY_ENCRYPTION_KEY: is required in production (base64url of exactly 32 random bytes)',
    ]);
  });

  it('should refuse a KEY_ENCRYPTION_KEY that is not base64url of 32 bytes, in every environment', () => {
    for (const NODE_ENV of ['production', 'development']) {
      for (const KEY_ENCRYPTION_KEY of [Buffer.alloc(16).toString('base64url'), `${kek}=`, kek.replace(/.$/, '+')]) {
        expect(configErrorOf({ NODE_ENV, KEY_ENCRYPTION_KEY }).problems).toEqual([
          'KEY_ENCRYPTION_KEY: must be base64url (no padding) of exactly 32 random bytes',
        ]);
      }
    }
  });

  it('should use the configured KEK and its id', () => {
    const config = loadConfig({ NODE_ENV: 'production', KEY_ENCRYPTION_KEY: kek, KEY_ENCRYPTION_KEY_ID: 'kek-2026', PAIRWISE_SUBJECT_SECRET });

    expect(config.keys).toMatchObject({ encryptionKeyId: 'kek-2026', developmentKek: false });
    expect(Buffer.from(config.keys.encryptionKey)).toEqual(kekBytes);
  });

  it('should refuse a weak KEY_ENCRYPTION_KEY in every environment, naming the weakness', () => {
    for (const NODE_ENV of ['production', 'development', 'test']) {
      expect(configErrorOf({ NODE_ENV, KEY_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64url'), PAIRWISE_SUBJECT_SECRET }).problems).toEqual([
        'KEY_ENCRYPTION_KEY: is not random: generate one with `openssl rand 32 | basenc --base64url | tr -d =`',
      ]);
    }
  });

  it('should read earlier KEKs for the re-wrap job, and refuse malformed or clashing ones', () => {
    const previous = randomBytes(32);
    const config = loadConfig({ KEY_ENCRYPTION_KEY: kek, KEY_ENCRYPTION_KEY_ID: 'kek-2', PREVIOUS_KEY_ENCRYPTION_KEYS: `kek-1:${previous.toString('base64url')}` });
    expect(config.keys.previousEncryptionKeys).toEqual([{ id: 'kek-1', key: new Uint8Array(previous) }]);
    expect(configErrorOf({ PREVIOUS_KEY_ENCRYPTION_KEYS: 'kek-1' }).problems).toEqual(['PREVIOUS_KEY_ENCRYPTION_KEYS: each entry must be <id>:<base64url of 32 bytes>']);
    expect(configErrorOf({ KEY_ENCRYPTION_KEY: kek, PREVIOUS_KEY_ENCRYPTION_KEYS: `kek-1:${previous.toString('base64url')}` }).problems[0]).toMatch(/its own id/);
  });

  it('should read the SIEM webhook only with its secret, and refuse a malformed secret or plain http in production', () => {
    const key = randomBytes(32);
    const config = loadConfig({ AUDIT_WEBHOOK_URL: 'https://siem.example/collect', AUDIT_WEBHOOK_SECRET: `whsec_${key.toString('base64')}` });
    expect(config.audit.webhook).toMatchObject({ url: 'https://siem.example/collect', key: new Uint8Array(key), batchSize: 500 });
    expect(loadConfig({}).audit.webhook).toBeNull();
    expect(configErrorOf({ AUDIT_WEBHOOK_URL: 'https://siem.example/collect' }).problems).toEqual([
      'AUDIT_WEBHOOK_SECRET: AUDIT_WEBHOOK_URL and AUDIT_WEBHOOK_SECRET go together; set both or neither',
    ]);
    expect(configErrorOf({ AUDIT_WEBHOOK_URL: 'https://siem.example/collect', AUDIT_WEBHOOK_SECRET: 'hunter2' }).problems[0]).toMatch(/^AUDIT_WEBHOOK_SECRET: must be whsec_/);
    expect(configErrorOf({ AUDIT_WEBHOOK_SECRET: 'hunter2' }).problems.join('\n')).not.toContain('hunter2');
    const production = { NODE_ENV: 'production', KEY_ENCRYPTION_KEY: kek, PAIRWISE_SUBJECT_SECRET: randomBytes(32).toString('base64url') };
    expect(configErrorOf({ ...production, AUDIT_WEBHOOK_URL: 'http://siem.example/collect', AUDIT_WEBHOOK_SECRET: `whsec_${key.toString('base64')}` }).problems).toEqual([
      'AUDIT_WEBHOOK_URL: must be https:// in production',
    ]);
  });

  it('should turn reviewer notifications on per channel, require their pairs, and never echo the SMTP credential', () => {
    const key = randomBytes(32);
    const config = loadConfig({
      PUBLIC_URL: 'https://crossgate.example/',
      SMTP_URL: 'smtp://mailer:s3cret-pass@mail.example:587',
      NOTIFY_EMAIL_FROM: 'crossgate@example.com',
      REVIEW_WEBHOOK_URL: 'https://hooks.example/reviews',
      REVIEW_WEBHOOK_SECRET: `whsec_${key.toString('base64')}`,
    });
    expect(config.accessReviews).toMatchObject({
      scanEveryMs: 300_000,
      myReviewsUrl: 'https://crossgate.example/#/my-reviews',
      email: { smtpUrl: 'smtp://mailer:s3cret-pass@mail.example:587', from: 'crossgate@example.com', timeoutMs: 10_000 },
      webhook: { url: 'https://hooks.example/reviews', key: new Uint8Array(key) },
    });
    expect(loadConfig({}).accessReviews).toMatchObject({ email: null, webhook: null });
    expect(configErrorOf({ SMTP_URL: 'smtp://mailer:s3cret-pass@mail.example:587' }).problems).toEqual(['NOTIFY_EMAIL_FROM: is required with SMTP_URL (the From address of notification e-mails)']);
    expect(configErrorOf({ REVIEW_WEBHOOK_URL: 'https://hooks.example/reviews' }).problems).toEqual([
      'REVIEW_WEBHOOK_SECRET: REVIEW_WEBHOOK_URL and REVIEW_WEBHOOK_SECRET go together; set both or neither',
    ]);
    const refused = configErrorOf({ SMTP_URL: 'http://mailer:s3cret-pass@mail.example', NOTIFY_EMAIL_FROM: 'nobody' });
    expect(refused.problems).toEqual(['SMTP_URL: must be an smtp:// or smtps:// URL', 'NOTIFY_EMAIL_FROM: must be an e-mail address']);
    expect(refused.problems.join('\n')).not.toContain('s3cret-pass');
  });

  it('should fall back to a labelled development KEK outside production, and say so', () => {
    const config = loadConfig({ NODE_ENV: 'development' });

    expect(config.keys.developmentKek).toBe(true);
    expect(config.keys.encryptionKeyId).toMatch(/development.*not-secret/);
    expect(config.keys.encryptionKey).toHaveLength(32);
  });

  it('should default to ES256 keys rotated every 30 days, and accept RS256', () => {
    expect(loadConfig({}).keys).toMatchObject({ signingAlg: 'ES256', rotateEveryDays: 30 });
    expect(loadConfig({ SIGNING_ALG: 'RS256', SIGNING_KEY_ROTATE_DAYS: '7' }).keys).toMatchObject({
      signingAlg: 'RS256',
      rotateEveryDays: 7,
    });
    expect(configErrorOf({ SIGNING_ALG: 'HS256' }).problems[0]).toMatch(/^SIGNING_ALG:/);
  });
});

describe('loadConfig: the pairwise subject secret', () => {
  const KEY_ENCRYPTION_KEY = randomBytes(32).toString('base64url');
  const secret = Buffer.alloc(32, 9).toString('base64url');

  it('should refuse to start in production without a PAIRWISE_SUBJECT_SECRET', () => {
    expect(configErrorOf({ NODE_ENV: 'production', KEY_ENCRYPTION_KEY }).problems).toEqual([
      'PAIRWISE_SUBJECT_SECRET: is required in production (base64url of exactly 32 random bytes)',
    ]);
  });

  it('should name both missing secrets at once in production', () => {
    expect(configErrorOf({ NODE_ENV: 'production' }).problems).toEqual([
      'KEY_ENCRYPTION_KEY: is required in production (base64url of exactly 32 random bytes)',
      'PAIRWISE_SUBJECT_SECRET: is required in production (base64url of exactly 32 random bytes)',
    ]);
  });

  it('should refuse a PAIRWISE_SUBJECT_SECRET that is not base64url of 32 bytes, in every environment', () => {
    for (const NODE_ENV of ['production', 'development']) {
      for (const PAIRWISE_SUBJECT_SECRET of [Buffer.alloc(16).toString('base64url'), `${secret}=`, secret.replace(/.$/, '/')]) {
        expect(configErrorOf({ NODE_ENV, KEY_ENCRYPTION_KEY, PAIRWISE_SUBJECT_SECRET }).problems).toEqual([
          'PAIRWISE_SUBJECT_SECRET: must be base64url (no padding) of exactly 32 random bytes',
        ]);
      }
    }
  });

  it('should use the configured secret as config.subjects.pairwiseSecret', () => {
    const config = loadConfig({ NODE_ENV: 'production', KEY_ENCRYPTION_KEY, PAIRWISE_SUBJECT_SECRET: secret });

    expect(config.subjects.pairwiseSecret).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(config.subjects.pairwiseSecret)).toEqual(Buffer.alloc(32, 9));
    expect(config.subjects.developmentPairwiseSecret).toBe(false);
  });

  it('should fall back to a fixed 32-byte development secret outside production, the same on every load', () => {
    const first = loadConfig({ NODE_ENV: 'development' });
    const second = loadConfig({ NODE_ENV: 'test' });

    expect(first.subjects.developmentPairwiseSecret).toBe(true);
    expect(first.subjects.pairwiseSecret).toHaveLength(32);
    expect(Buffer.from(second.subjects.pairwiseSecret)).toEqual(Buffer.from(first.subjects.pairwiseSecret));
    expect(Buffer.from(first.subjects.pairwiseSecret)).not.toEqual(Buffer.from(first.keys.encryptionKey));
  });
});
