/**
 * @overview The MCP gateway's configuration: the one place in this app that reads the environment.
 * Every variable is parsed once into a typed object, and every bad variable is reported in one
 * error, so a misconfigured start names what to fix.
 *
 * The gateway is a process of its own that knows Crossgate by URL and by its own client, as a
 * resource server would, so it has its own variables (MCP_GATEWAY_*), not `@crossgate/config`.
 */
import { z } from 'zod';

const url = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });

const environmentSchema = z.object({
  MCP_GATEWAY_HOST: z.string().min(1).default('127.0.0.1'),
  MCP_GATEWAY_PORT: z.coerce.number().int().min(0).max(65535).default(3200),
  /** The URL agents reach the gateway at; a fronted resource is `<this>/mcp/<slug>`. */
  MCP_GATEWAY_PUBLIC_URL: url.optional(),
  /** Crossgate's public URL, exactly as its own PUBLIC_URL: each resource's issuer is `<this>/ras/<slug>`. */
  CROSSGATE_URL: url.default('http://localhost:3000'),
  /** The gateway's own client at Crossgate (client_secret_basic), listed as each fronted resource's resource server. */
  MCP_GATEWAY_CLIENT_ID: z.string().min(1).optional(),
  MCP_GATEWAY_CLIENT_SECRET: z.string().min(1).optional(),
  /** How long an introspection answer is reused: a revocation or kill switch reaches a live session within this. 0: ask on every call. */
  MCP_GATEWAY_TOKEN_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(1_000),
  /** How long a route (a resource's gateway settings) is reused. */
  MCP_GATEWAY_ROUTE_CACHE_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  /**
   * How long a vaulted key is reused before it is retrieved again (an upstream 401 retrieves it at
   * once): a kill switch on the connection alone (not its user, agent or resource, which
   * introspection catches) reaches live sessions within this.
   */
  MCP_GATEWAY_CREDENTIAL_CACHE_MS: z.coerce.number().int().min(0).max(3_600_000).default(5_000),
  /** The largest JSON-RPC message accepted from an agent; a larger one is 413. */
  MCP_GATEWAY_MAX_MESSAGE_BYTES: z.coerce.number().int().min(1_024).max(64 * 1024 * 1024).default(1024 * 1024),
  /**
   * While a high-risk call waits for an approver, how often the gateway sends the agent an MCP
   * progress notification (when the call carries a progress token), so a client that resets its
   * request timeout on progress keeps waiting as long as the approval may take.
   */
  MCP_GATEWAY_APPROVAL_PROGRESS_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /** How long an upstream MCP server may take to start answering. */
  MCP_GATEWAY_UPSTREAM_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  /**
   * How long a tool call's audit record waits for others to share one request to Crossgate with
   * (at most 100 calls a request); 0 sends each at once, as long as no request for that resource is in flight.
   */
  MCP_GATEWAY_AUDIT_FLUSH_MS: z.coerce.number().int().min(0).max(1_000).default(10),
  LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
});

type Environment = z.infer<typeof environmentSchema>;

export class GatewayConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid MCP gateway configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'GatewayConfigError';
  }
}

export interface GatewayConfig {
  http: { host: string; port: number; publicUrl: string };
  crossgate: {
    url: string;
    /** Absent: the gateway starts, says so, and refuses calls with 503 until it has a client. */
    client?: { clientId: string; clientSecret: string };
  };
  cache: { tokenMs: number; routeMs: number; credentialMs: number };
  maxMessageBytes: number;
  approvalProgressMs: number;
  upstreamTimeoutMs: number;
  auditFlushMs: number;
  logLevel: Environment['LOG_LEVEL'];
}

const withoutTrailingSlash = (value: string) => value.replace(/\/+$/, '');

function toConfig(env: Environment): GatewayConfig {
  const { MCP_GATEWAY_CLIENT_ID: clientId, MCP_GATEWAY_CLIENT_SECRET: clientSecret } = env;
  return {
    http: { host: env.MCP_GATEWAY_HOST, port: env.MCP_GATEWAY_PORT, publicUrl: withoutTrailingSlash(env.MCP_GATEWAY_PUBLIC_URL ?? `http://localhost:${env.MCP_GATEWAY_PORT}`) },
    crossgate: { url: withoutTrailingSlash(env.CROSSGATE_URL), ...(clientId === undefined || clientSecret === undefined ? {} : { client: { clientId, clientSecret } }) },
    cache: { tokenMs: env.MCP_GATEWAY_TOKEN_CACHE_MS, routeMs: env.MCP_GATEWAY_ROUTE_CACHE_MS, credentialMs: env.MCP_GATEWAY_CREDENTIAL_CACHE_MS },
    maxMessageBytes: env.MCP_GATEWAY_MAX_MESSAGE_BYTES,
    approvalProgressMs: env.MCP_GATEWAY_APPROVAL_PROGRESS_MS,
    upstreamTimeoutMs: env.MCP_GATEWAY_UPSTREAM_TIMEOUT_MS,
    auditFlushMs: env.MCP_GATEWAY_AUDIT_FLUSH_MS,
    logLevel: env.LOG_LEVEL,
  };
}

/**
 * Parses the environment into the gateway's configuration. Empty variables count as unset.
 * @throws GatewayConfigError naming every invalid variable at once.
 */
export function loadGatewayConfig(env: Record<string, string | undefined> = process.env): GatewayConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = environmentSchema.safeParse(present);
  if (!parsed.success) {
    throw new GatewayConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`));
  }
  if ((parsed.data.MCP_GATEWAY_CLIENT_ID === undefined) !== (parsed.data.MCP_GATEWAY_CLIENT_SECRET === undefined)) {
    throw new GatewayConfigError(['MCP_GATEWAY_CLIENT_ID and MCP_GATEWAY_CLIENT_SECRET: set both (the gateway\'s client at Crossgate) or neither']);
  }
  return toConfig(parsed.data);
}

/** For the process entry point: the configuration, or every problem on stderr and exit code 1. */
export function loadGatewayConfigOrExit(env: Record<string, string | undefined> = process.env): GatewayConfig {
  try {
    return loadGatewayConfig(env);
  } catch (error) {
    if (error instanceof GatewayConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
