import { createHash } from 'node:crypto';

import { z } from 'zod';

import { developmentKek, kekWeakness } from '@crossgate/vault';

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

/** `a, b,c` as `['a', 'b', 'c']`: short tokens (roles, `amr` and `acr` values), none empty; unset is an empty list. */
const commaList = z
  .string()
  .transform((value) => value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== ''))
  .pipe(z.array(z.string().regex(/^[\x21-\x2B\x2D-\x7E]{1,200}$/, 'each entry must be printable, without spaces or commas')))
  .default([]);

const kekId = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 letters, digits, ".", "_" or "-"');

/** A Standard Webhooks signing secret: `whsec_` and the base64 of 24 to 64 random bytes. */
const webhookSecret = z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/, 'must be whsec_ followed by the base64 of 24 to 64 random bytes');

const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Base URL users and clients reach Crossgate at; the issuer identifiers derive from it. */
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** A PostgreSQL server; when unset, Crossgate runs an embedded PostgreSQL under CROSSGATE_DATA_DIR. */
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgresql:// URL' }).optional(),
  /** Where Crossgate keeps its own files (the embedded PostgreSQL cluster), relative to the working directory. */
  CROSSGATE_DATA_DIR: z.string().min(1).default('.crossgate'),
  /** Redis, for scale-out; when unset, Crossgate uses no Redis. */
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// URL' }).optional(),
  /**
   * Whether the API process also runs the worker. Defaults to true without REDIS_URL (one process)
   * and false with it (the worker is its own process and scales on its own).
   */
  SINGLE_PROCESS: booleanFlag.optional(),
  /**
   * The PostgreSQL schema the queues live in when REDIS_URL is unset, so several deployments or test runs
   * can share a database as REDIS_PREFIX lets them share a Redis.
   */
  QUEUE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case PostgreSQL identifier')
    .default('bullmq'),
  /** Prefix for every Redis key and BullMQ queue, so several deployments or test runs can share a Redis. */
  REDIS_PREFIX: z.string().regex(/^[a-z0-9:_-]+$/i).default('crossgate'),
  BOOTSTRAP_ADMIN_EMAIL: z.email().default('admin@crossgate.local'),
  /** When unset, a random password is generated on first run and printed once. */
  BOOTSTRAP_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  SEED_DEMO_DATA: booleanFlag.default(true),
  /** The demo MCP gateway client's secret, which `npm start` generates and the demo data sets; nothing else reads it. */
  DEMO_MCP_GATEWAY_CLIENT_SECRET: z.string().min(1).optional(),
  SESSION_TTL_SECONDS: z.coerce.number().int().min(60).max(7 * 24 * 3600).default(8 * 3600),
  /** Cookies are marked Secure when the public URL is https, or when this forces it. */
  COOKIE_SECURE: booleanFlag.optional(),
  BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i, 'must look like 100kb').default('100kb'),
  LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
  /** One JSON object per line (the default in production) or the human-readable lines of development. */
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  /** The API's Prometheus endpoint, `GET /metrics` on its own port; `false` answers 404 there. */
  METRICS_ENABLED: booleanFlag.default(true),
  /** The worker's Prometheus endpoint: a listener on this port serving `GET /metrics`; unset, none. */
  WORKER_METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  WORKER_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /**
   * OTLP/HTTP collector base URL (e.g. http://127.0.0.1:4318): traces are exported there; unset, the
   * OpenTelemetry SDK is never loaded. The SDK reads the other standard OTEL_* variables itself.
   * @see https://opentelemetry.io/docs/specs/otel/protocol/exporter/
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/, error: 'must be an http(s):// URL' }).optional(),
  /** Folder holding the built admin UI; empty disables serving it. */
  ADMIN_UI_DIR: z.string().optional(),
  AUDIT_VERIFY_EVERY_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(60),
  /**
   * Where the worker posts every audit event as it commits (a SIEM's HTTP collector), in sequence
   * order, at least once, signed as Standard Webhooks specifies; unset, nothing is posted.
   * @see https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
   */
  AUDIT_WEBHOOK_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s):// URL' }).optional(),
  /** The webhook's signing secret: `whsec_` and the base64 of 24 to 64 random bytes (`echo whsec_$(openssl rand -base64 32)`). */
  AUDIT_WEBHOOK_SECRET: webhookSecret.optional(),
  /** Most events in one webhook post. */
  AUDIT_WEBHOOK_BATCH_SIZE: z.coerce.number().int().min(1).max(5000).default(500),
  /** How long the collector may take to answer one post before it counts as failed and is sent again. */
  AUDIT_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** How often the worker walks the active access-review campaigns for reminders due and escalations past due. */
  ACCESS_REVIEW_SCAN_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  /**
   * The SMTP server reviewer notifications go out through: `smtp://user:password@host:587` (STARTTLS
   * when offered) or `smtps://…:465`; unset, no e-mail is sent. It holds a credential: never logged.
   */
  SMTP_URL: z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).optional(),
  /** The From address of notification e-mails; required with SMTP_URL. */
  NOTIFY_EMAIL_FROM: z.email({ error: 'must be an e-mail address' }).optional(),
  /** Where the worker posts reviewer notifications (reminders, escalations) as signed Standard Webhooks; unset, none. */
  REVIEW_WEBHOOK_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s):// URL' }).optional(),
  /** The review webhook's signing secret (`echo whsec_$(openssl rand -base64 32)`). */
  REVIEW_WEBHOOK_SECRET: webhookSecret.optional(),
  /** How long the SMTP server or the webhook may take to answer one notification before it counts as failed. */
  NOTIFY_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** First retry delay of a failed notification (doubling, five attempts; the scan re-drives one that ran out). */
  NOTIFY_RETRY_DELAY_MS: z.coerce.number().int().min(10).max(3_600_000).default(2_000),
  /**
   * The nice value the API gives its helper threads (libuv's pool, which runs every signature and
   * verification, and V8's), so that waking one does not preempt the event loop; 0 leaves them be.
   */
  HELPER_THREAD_NICE: z.coerce.number().int().min(0).max(19).default(10),
  /**
   * The key-encryption key (KEK) that seals Crossgate's private signing keys at rest: base64url of
   * exactly 32 random bytes (`openssl rand 32 | basenc --base64url | tr -d =`). Required in production.
   */
  KEY_ENCRYPTION_KEY: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}$/, 'must be base64url (no padding) of exactly 32 random bytes')
    .optional(),
  /** Names the KEK; stored beside each sealed key so a later KEK rotation knows what sealed what. */
  KEY_ENCRYPTION_KEY_ID: kekId.default('kek-1'),
  /**
   * Earlier KEKs, kept only while the `vault.rewrap` job moves what they wrapped to the current one:
   * `id:base64url` pairs separated by commas. Remove an entry once the job reports nothing left under it.
   */
  PREVIOUS_KEY_ENCRYPTION_KEYS: z
    .string()
    .transform((value, context) => {
      const entries = value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
      const keys = [];
      for (const entry of entries) {
        const [id = '', encoded = ''] = entry.split(':');
        if (!kekId.safeParse(id).success || !/^[A-Za-z0-9_-]{43}$/.test(encoded)) {
          context.addIssue({ code: 'custom', message: 'each entry must be <id>:<base64url of 32 bytes>' });
          return z.NEVER;
        }
        keys.push({ id, key: new Uint8Array(Buffer.from(encoded, 'base64url')) });
      }
      return keys;
    })
    .default([]),
  /**
   * Keys the pairwise subject identifiers in ID-JAGs for resources with pairwise subjects: base64url
   * of exactly 32 random bytes. Required in production. Changing it changes every pairwise subject,
   * so resource authorization servers would see existing users as new ones.
   */
  PAIRWISE_SUBJECT_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}$/, 'must be base64url (no padding) of exactly 32 random bytes')
    .optional(),
  /** Algorithm of new signing keys: ES256 (default) or RS256. Existing keys keep theirs. */
  SIGNING_ALG: z.enum(['ES256', 'RS256']).default('ES256'),
  /** The rotation job makes the `next` key active this often. */
  SIGNING_KEY_ROTATE_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** How long a connection's rotation hook (and its verify URL) may take to answer before the step fails. */
  ROTATION_HOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** How often the worker brings the rotation schedulers in line with the connections' schedules. */
  ROTATION_RECONCILE_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  /** First retry delay of a failed rotation; later ones double (exponential backoff). */
  ROTATION_RETRY_DELAY_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  /** Attempts of one kill-switch delivery (a SET push, an RFC 7009 revocation, a rotation) before it is dead-lettered. */
  KILL_SWITCH_DELIVERY_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  /** First retry delay of a failed delivery; later ones double (exponential backoff). */
  KILL_SWITCH_RETRY_DELAY_MS: z.coerce.number().int().min(10).max(3_600_000).default(500),
  /** How long a receiver may take to answer one SET push. */
  KILL_SWITCH_DELIVERY_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5_000),
  /** How often the worker re-queues fan-outs and deliveries whose jobs were lost (a Redis restart). */
  KILL_SWITCH_RECONCILE_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  /** Whether admins may sign in with a local password (break-glass beside SSO); false leaves SSO alone. */
  ADMIN_PASSWORD_SIGN_IN: booleanFlag.default(true),
  /** Admin roles that must sign in through SSO with a second factor (comma-separated, e.g. it-admin,incident-responder). */
  ADMIN_MFA_ROLES: commaList,
  /** RFC 8176 `amr` values that count as a second factor at SSO sign-in. */
  ADMIN_MFA_AMR: commaList.default(['mfa', 'otp', 'hwk', 'swk', 'sms', 'fpt', 'face', 'iris', 'sc']),
  /** `acr` values that count as a second factor at SSO sign-in (an IdP's own, e.g. phr or a URN). */
  ADMIN_MFA_ACR: commaList,
  /** Lets `crossgate policy apply --direct` write a policy set at once, without a second approver (a lab, a break-glass restore). */
  POLICY_APPLY_DIRECT: booleanFlag.default(false),
});

/**
 * Outside production only, when PAIRWISE_SUBJECT_SECRET is unset: a fixed secret anyone can derive,
 * so pairwise subjects stay the same across restarts of a development instance. They are not private.
 */
const developmentPairwiseSecret = new Uint8Array(
  createHash('sha256').update('crossgate development pairwise subject secret, NOT SECRET').digest(),
);

export type Config = ReturnType<typeof toConfig>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function bytesOf(limit: string): number {
  const [, amount = '0', unit = 'b'] = /^(\d+)(b|kb|mb)$/i.exec(limit) ?? [];
  return Number(amount) * { b: 1, kb: 1024, mb: 1024 * 1024 }[unit.toLowerCase() as 'b' | 'kb' | 'mb'];
}

function toConfig(env: z.infer<typeof environmentSchema>) {
  const publicUrl = (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, '');
  return {
    environment: env.NODE_ENV,
    http: {
      host: env.HOST,
      port: env.PORT,
      publicUrl,
      bodyLimit: env.BODY_LIMIT,
      /** BODY_LIMIT in bytes (`kb` and `mb` are 1024 and 1024², as body-parser reads them). */
      bodyLimitBytes: bytesOf(env.BODY_LIMIT),
      adminUiDir: env.ADMIN_UI_DIR,
      helperThreadNice: env.HELPER_THREAD_NICE,
    },
    database: { url: env.DATABASE_URL, dataDir: env.CROSSGATE_DATA_DIR, queueSchema: env.QUEUE_SCHEMA },
    redis: { url: env.REDIS_URL, prefix: env.REDIS_PREFIX },
    /** The API process runs the worker's application beside its own. */
    singleProcess: env.SINGLE_PROCESS ?? env.REDIS_URL === undefined,
    bootstrapAdmin: { email: env.BOOTSTRAP_ADMIN_EMAIL, password: env.BOOTSTRAP_ADMIN_PASSWORD },
    seedDemoData: env.SEED_DEMO_DATA,
    demoMcpGatewayClientSecret: env.DEMO_MCP_GATEWAY_CLIENT_SECRET,
    session: {
      ttlSeconds: env.SESSION_TTL_SECONDS,
      secureCookies: env.COOKIE_SECURE ?? publicUrl.startsWith('https://'),
    },
    logLevel: env.LOG_LEVEL,
    logFormat: env.LOG_FORMAT ?? (env.NODE_ENV === 'production' ? 'json' : 'pretty'),
    metrics: {
      /** Whether the API serves `GET /metrics`. */
      apiEnabled: env.METRICS_ENABLED,
      /** The worker's metrics listener, when WORKER_METRICS_PORT is set. */
      worker: env.WORKER_METRICS_PORT === undefined ? null : { host: env.WORKER_METRICS_HOST, port: env.WORKER_METRICS_PORT },
    },
    tracing: { otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT ?? null },
    audit: {
      verifyEveryMinutes: env.AUDIT_VERIFY_EVERY_MINUTES,
      /** The SIEM webhook, when AUDIT_WEBHOOK_URL is set (its secret is then required). */
      webhook:
        env.AUDIT_WEBHOOK_URL === undefined || env.AUDIT_WEBHOOK_SECRET === undefined
          ? null
          : {
              url: env.AUDIT_WEBHOOK_URL,
              /** The HMAC-SHA256 key: the bytes the secret's base64 encodes. */
              key: new Uint8Array(Buffer.from(env.AUDIT_WEBHOOK_SECRET.slice('whsec_'.length), 'base64')),
              batchSize: env.AUDIT_WEBHOOK_BATCH_SIZE,
              timeoutMs: env.AUDIT_WEBHOOK_TIMEOUT_MS,
            },
    },
    accessReviews: {
      scanEveryMs: env.ACCESS_REVIEW_SCAN_SECONDS * 1000,
      /** The admin console's queue of the reviewer's own items, linked from every notification. */
      myReviewsUrl: `${publicUrl}/#/my-reviews`,
      retryDelayMs: env.NOTIFY_RETRY_DELAY_MS,
      /** E-mail over SMTP, when SMTP_URL is set (NOTIFY_EMAIL_FROM is then required). */
      email: env.SMTP_URL === undefined || env.NOTIFY_EMAIL_FROM === undefined ? null : { smtpUrl: env.SMTP_URL, from: env.NOTIFY_EMAIL_FROM, timeoutMs: env.NOTIFY_TIMEOUT_MS },
      /** The signed review webhook, when REVIEW_WEBHOOK_URL is set (its secret is then required). */
      webhook:
        env.REVIEW_WEBHOOK_URL === undefined || env.REVIEW_WEBHOOK_SECRET === undefined
          ? null
          : { url: env.REVIEW_WEBHOOK_URL, key: new Uint8Array(Buffer.from(env.REVIEW_WEBHOOK_SECRET.slice('whsec_'.length), 'base64')), timeoutMs: env.NOTIFY_TIMEOUT_MS },
    },
    keys: {
      /** 32 bytes; seals private signing keys (JWE `dir` + `A256GCM`) and wraps the vault's data keys. */
      encryptionKey: env.KEY_ENCRYPTION_KEY ? new Uint8Array(Buffer.from(env.KEY_ENCRYPTION_KEY, 'base64url')) : developmentKek.key,
      encryptionKeyId: env.KEY_ENCRYPTION_KEY ? env.KEY_ENCRYPTION_KEY_ID : developmentKek.id,
      /** Earlier KEKs that still unwrap what they wrapped until the re-wrap job has run. */
      previousEncryptionKeys: env.PREVIOUS_KEY_ENCRYPTION_KEYS,
      /** True when the fixed development KEK is in use: the API warns loudly at start. */
      developmentKek: env.KEY_ENCRYPTION_KEY === undefined,
      signingAlg: env.SIGNING_ALG,
      rotateEveryDays: env.SIGNING_KEY_ROTATE_DAYS,
    },
    rotation: {
      hookTimeoutMs: env.ROTATION_HOOK_TIMEOUT_MS,
      reconcileEveryMs: env.ROTATION_RECONCILE_SECONDS * 1000,
      retryDelayMs: env.ROTATION_RETRY_DELAY_MS,
      /** Hooks on loopback (and plain http to loopback) only outside production, as for remote JWKS. */
      allowInsecureLoopback: env.NODE_ENV !== 'production',
    },
    adminSignIn: {
      password: env.ADMIN_PASSWORD_SIGN_IN,
      mfa: { roles: env.ADMIN_MFA_ROLES, amr: env.ADMIN_MFA_AMR, acr: env.ADMIN_MFA_ACR },
    },
    policy: {
      /** Whether a policy set may be applied at once, as approved by whoever applies it. */
      applyDirect: env.POLICY_APPLY_DIRECT,
    },
    killSwitch: {
      deliveryAttempts: env.KILL_SWITCH_DELIVERY_ATTEMPTS,
      retryDelayMs: env.KILL_SWITCH_RETRY_DELAY_MS,
      deliveryTimeoutMs: env.KILL_SWITCH_DELIVERY_TIMEOUT_MS,
      reconcileEveryMs: env.KILL_SWITCH_RECONCILE_SECONDS * 1000,
      /** SET receivers on loopback (and plain http to loopback) only outside production. */
      allowInsecureLoopback: env.NODE_ENV !== 'production',
    },
    subjects: {
      /** 32 bytes; the HMAC key of pairwise ID-JAG subjects (libs/token `pairwiseSubject`). */
      pairwiseSecret: env.PAIRWISE_SUBJECT_SECRET
        ? new Uint8Array(Buffer.from(env.PAIRWISE_SUBJECT_SECRET, 'base64url'))
        : developmentPairwiseSecret,
      /** True when the fixed development secret is in use. */
      developmentPairwiseSecret: env.PAIRWISE_SUBJECT_SECRET === undefined,
    },
  };
}

/** Rules that span variables, reported with the per-variable ones. */
function crossFieldProblems(env: z.infer<typeof environmentSchema>): string[] {
  const problems: string[] = [];
  // A weak KEK is refused in every environment: only an unset one falls back to the development KEK.
  if (env.KEY_ENCRYPTION_KEY !== undefined) {
    const weakness = kekWeakness(new Uint8Array(Buffer.from(env.KEY_ENCRYPTION_KEY, 'base64url')));
    if (weakness !== null) {
      problems.push(`KEY_ENCRYPTION_KEY: ${weakness}`);
    }
  }
  const ids = [env.KEY_ENCRYPTION_KEY_ID, ...env.PREVIOUS_KEY_ENCRYPTION_KEYS.map((kek) => kek.id)];
  if (new Set(ids).size !== ids.length) {
    problems.push('PREVIOUS_KEY_ENCRYPTION_KEYS: every key-encryption key needs its own id, distinct from KEY_ENCRYPTION_KEY_ID');
  }
  if ((env.AUDIT_WEBHOOK_URL === undefined) !== (env.AUDIT_WEBHOOK_SECRET === undefined)) {
    problems.push('AUDIT_WEBHOOK_SECRET: AUDIT_WEBHOOK_URL and AUDIT_WEBHOOK_SECRET go together; set both or neither');
  }
  if ((env.REVIEW_WEBHOOK_URL === undefined) !== (env.REVIEW_WEBHOOK_SECRET === undefined)) {
    problems.push('REVIEW_WEBHOOK_SECRET: REVIEW_WEBHOOK_URL and REVIEW_WEBHOOK_SECRET go together; set both or neither');
  }
  if (env.SMTP_URL !== undefined && env.NOTIFY_EMAIL_FROM === undefined) {
    problems.push('NOTIFY_EMAIL_FROM: is required with SMTP_URL (the From address of notification e-mails)');
  }
  if (env.NODE_ENV !== 'production') {
    return problems;
  }
  if (env.AUDIT_WEBHOOK_URL?.startsWith('http://')) {
    problems.push('AUDIT_WEBHOOK_URL: must be https:// in production');
  }
  if (env.REVIEW_WEBHOOK_URL?.startsWith('http://')) {
    problems.push('REVIEW_WEBHOOK_URL: must be https:// in production');
  }
  const requiredSecrets = ['KEY_ENCRYPTION_KEY', 'PAIRWISE_SUBJECT_SECRET'] as const;
  return [
    ...problems,
    ...requiredSecrets
      .filter((name) => env[name] === undefined)
      .map((name) => `${name}: is required in production (base64url of exactly 32 random bytes)`),
  ];
}

/**
 * Parses the environment into Crossgate's configuration.
 * @throws ConfigError naming every invalid variable at once.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = environmentSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`),
    );
  }
  const problems = crossFieldProblems(parsed.data);
  if (problems.length > 0) {
    throw new ConfigError(problems);
  }
  return toConfig(parsed.data);
}

/**
 * The database URL of a configuration whose database is known: DATABASE_URL, or the URL of the
 * embedded PostgreSQL the entry point started (`startEmbeddedPostgres`) and put in `database.url`.
 */
export function databaseUrlOf(config: Pick<Config, 'database'>): string {
  if (config.database.url === undefined) {
    throw new ConfigError(['DATABASE_URL: is unset, and no embedded PostgreSQL was started for this process']);
  }
  return config.database.url;
}

/**
 * Redis settings for a part of Crossgate that still needs Redis; when REDIS_URL is unset, the start
 * fails here, naming that part.
 */
export function requireRedis(redis: Config['redis'], part: string): { url: string; prefix: string } {
  if (redis.url === undefined) {
    throw new ConfigError([`REDIS_URL: is unset, and ${part} needs Redis; set REDIS_URL (redis://…)`]);
  }
  return { url: redis.url, prefix: redis.prefix };
}

/** For a process entry point: the configuration, or every problem on stderr and exit code 1. */
export function loadConfigOrExit(env: Record<string, string | undefined> = process.env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
