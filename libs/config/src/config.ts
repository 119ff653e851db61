import { z } from 'zod';

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Base URL users and clients reach Crossgate at; the issuer identifiers derive from it. */
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgresql:// URL' })
    .default('postgresql://postgres@127.0.0.1:5432/test'),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// URL' }).default('redis://127.0.0.1:6379'),
  /** Prefix for every Redis key and BullMQ queue, so several deployments or test runs can share a Redis. */
  REDIS_PREFIX: z.string().regex(/^[a-z0-9:_-]+$/i).default('crossgate'),
  BOOTSTRAP_ADMIN_EMAIL: z.email().default('admin@crossgate.local'),
  /** When unset, a random password is generated on first run and printed once. */
  BOOTSTRAP_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  SEED_DEMO_DATA: booleanFlag.default(true),
  SESSION_TTL_SECONDS: z.coerce.number().int().min(60).max(7 * 24 * 3600).default(8 * 3600),
  /** Cookies are marked Secure when the public URL is https, or when this forces it. */
  COOKIE_SECURE: booleanFlag.optional(),
  BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i, 'must look like 100kb').default('100kb'),
  LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
  /** Folder holding the built admin UI; empty disables serving it. */
  ADMIN_UI_DIR: z.string().optional(),
  AUDIT_VERIFY_EVERY_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(60),
});

export type Config = ReturnType<typeof toConfig>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
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
      adminUiDir: env.ADMIN_UI_DIR,
    },
    database: { url: env.DATABASE_URL },
    redis: { url: env.REDIS_URL, prefix: env.REDIS_PREFIX },
    bootstrapAdmin: { email: env.BOOTSTRAP_ADMIN_EMAIL, password: env.BOOTSTRAP_ADMIN_PASSWORD },
    seedDemoData: env.SEED_DEMO_DATA,
    session: {
      ttlSeconds: env.SESSION_TTL_SECONDS,
      secureCookies: env.COOKIE_SECURE ?? publicUrl.startsWith('https://'),
    },
    logLevel: env.LOG_LEVEL,
    audit: { verifyEveryMinutes: env.AUDIT_VERIFY_EVERY_MINUTES },
  };
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
  return toConfig(parsed.data);
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
