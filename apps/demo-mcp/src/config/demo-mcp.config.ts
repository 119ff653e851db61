/**
 * @overview The demo MCP server's configuration: the one place in this app that reads the
 * environment. Every variable is parsed once into a typed object, and every bad variable is reported
 * in one error, so a misconfigured start names what to fix.
 *
 * The server is a separate process with its own variables (DEMO_MCP_*), not part of Crossgate's
 * `@crossgate/config`: a resource server knows Crossgate only by URL, as any third-party MCP server
 * would.
 */
import { z } from 'zod';

const url = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });

const environmentSchema = z.object({
  DEMO_MCP_HOST: z.string().min(1).default('127.0.0.1'),
  DEMO_MCP_PORT: z.coerce.number().int().min(0).max(65535).default(3100),
  /** The URL clients reach this server at; the resource identifier is this plus `/mcp`. */
  DEMO_MCP_PUBLIC_URL: url.optional(),
  /**
   * Crossgate's public URL, exactly as Crossgate's own PUBLIC_URL (its default is
   * http://localhost:3000): the issuer is derived from it and compared as a string.
   */
  CROSSGATE_URL: url.default('http://localhost:3000'),
  /** The slug of this server's protected resource in Crossgate; its issuer is `<CROSSGATE_URL>/ras/<slug>`. */
  DEMO_MCP_RESOURCE_SLUG: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lowercase letters, digits and "-" (a Crossgate resource slug)')
    .default('demo-mcp'),
  /** `jwks`: verify the JWT access token locally; `introspection`: ask Crossgate on every request (RFC 7662). */
  DEMO_MCP_TOKEN_VALIDATION: z.enum(['jwks', 'introspection']).default('jwks'),
  /** This server's own client at Crossgate, for introspection (client_secret_basic). */
  DEMO_MCP_CLIENT_ID: z.string().min(1).optional(),
  DEMO_MCP_CLIENT_SECRET: z.string().min(1).optional(),
  /** Leeway for `exp`/`iat`/`nbf` in JWKS mode: RFC 8725 and SPEC §7 ask for a small one. */
  DEMO_MCP_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(120).default(30),
  /**
   * The Authorization header value Crossgate's SSF stream for this server pushes with (RFC 8935 §2);
   * when set, a push without it is refused.
   */
  DEMO_MCP_SSF_AUTHORIZATION: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
});

type Environment = z.infer<typeof environmentSchema>;

export class DemoMcpConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid demo MCP server configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'DemoMcpConfigError';
  }
}

export type TokenValidation =
  | { mode: 'jwks' }
  | { mode: 'introspection'; clientId: string; clientSecret: string };

export interface DemoMcpConfig {
  http: { host: string; port: number; publicUrl: string };
  /** RFC 8707 / RFC 9728 resource identifier: the MCP endpoint's URL. Access tokens carry it as `aud`. */
  resource: string;
  authorizationServer: {
    /** The RAS issuer for this resource (RFC 8414 `issuer`, RFC 9728 `authorization_servers[0]`). */
    issuer: string;
    clockSkewSeconds: number;
  };
  tokenValidation: TokenValidation;
  /** This server as an SSF push receiver (RFC 8935) of Crossgate's security events. */
  securityEvents: {
    /** The transmitter's issuer: Crossgate's public URL. */
    transmitter: string;
    /** Where Crossgate pushes SETs. */
    endpointUrl: string;
    authorization?: string;
  };
  logLevel: Environment['LOG_LEVEL'];
}

const withoutTrailingSlash = (value: string) => value.replace(/\/+$/, '');

function crossFieldProblems(env: Environment): string[] {
  if (env.DEMO_MCP_TOKEN_VALIDATION !== 'introspection') {
    return [];
  }
  return (['DEMO_MCP_CLIENT_ID', 'DEMO_MCP_CLIENT_SECRET'] as const)
    .filter((name) => env[name] === undefined)
    .map((name) => `${name}: is required when DEMO_MCP_TOKEN_VALIDATION=introspection (this server's client at Crossgate)`);
}

function toConfig(env: Environment): DemoMcpConfig {
  const publicUrl = withoutTrailingSlash(env.DEMO_MCP_PUBLIC_URL ?? `http://localhost:${env.DEMO_MCP_PORT}`);
  return {
    http: { host: env.DEMO_MCP_HOST, port: env.DEMO_MCP_PORT, publicUrl },
    resource: `${publicUrl}/mcp`,
    authorizationServer: {
      issuer: `${withoutTrailingSlash(env.CROSSGATE_URL)}/ras/${env.DEMO_MCP_RESOURCE_SLUG}`,
      clockSkewSeconds: env.DEMO_MCP_CLOCK_SKEW_SECONDS,
    },
    tokenValidation:
      env.DEMO_MCP_TOKEN_VALIDATION === 'introspection'
        ? { mode: 'introspection', clientId: env.DEMO_MCP_CLIENT_ID!, clientSecret: env.DEMO_MCP_CLIENT_SECRET! }
        : { mode: 'jwks' },
    securityEvents: {
      transmitter: withoutTrailingSlash(env.CROSSGATE_URL),
      endpointUrl: `${publicUrl}/ssf/events`,
      ...(env.DEMO_MCP_SSF_AUTHORIZATION === undefined ? {} : { authorization: env.DEMO_MCP_SSF_AUTHORIZATION }),
    },
    logLevel: env.LOG_LEVEL,
  };
}

/**
 * Parses the environment into the demo MCP server's configuration. Empty variables count as unset.
 * @throws DemoMcpConfigError naming every invalid variable at once.
 */
export function loadDemoMcpConfig(env: Record<string, string | undefined> = process.env): DemoMcpConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = environmentSchema.safeParse(present);
  if (!parsed.success) {
    throw new DemoMcpConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`));
  }
  const problems = crossFieldProblems(parsed.data);
  if (problems.length > 0) {
    throw new DemoMcpConfigError(problems);
  }
  return toConfig(parsed.data);
}

/** For the process entry point: the configuration, or every problem on stderr and exit code 1. */
export function loadDemoMcpConfigOrExit(env: Record<string, string | undefined> = process.env): DemoMcpConfig {
  try {
    return loadDemoMcpConfig(env);
  } catch (error) {
    if (error instanceof DemoMcpConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
