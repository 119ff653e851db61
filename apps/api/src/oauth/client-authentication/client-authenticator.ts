/**
 * @overview Client authentication at Crossgate's token endpoint: `client_secret_basic`,
 * `client_secret_post`, `private_key_jwt`, and `none` for public clients. The token endpoint calls
 * {@link ClientAuthenticator.authenticate} first and gets the client or an {@link OAuthError}.
 *
 * Rules:
 * - One method per request, and it must be the method the client is registered with.
 * - Clients are read from the directory loaded at the current policy version (policies/directory.ts),
 *   not from the database per request; a client write or a new secret bumps that version.
 * - An unknown, disabled or deleted client, a method mismatch and a wrong secret all answer
 *   `invalid_client` with the same description, and a secret is always run through argon2 (against
 *   a decoy hash when there is nothing to compare with), so neither the answer nor its timing says
 *   whether a client id exists. Only a secret that already passed argon2 for the client's current
 *   hash is recognised by its SHA-256 digest instead: argon2 is deliberately slow (tens of ms of
 *   CPU), which a token endpoint serving thousands of requests a second cannot pay each time, and
 *   the shortcut tells nobody anything they did not already know (they hold the secret).
 * - `private_key_jwt`: see `client-assertion.ts` for the claim rules. Each `jti` is accepted once
 *   per client until the assertion expires (set once across instances, by the coordination port);
 *   a replay is `invalid_client`, and when the port cannot be consulted the request is refused with
 *   `temporarily_unavailable` (fail closed: a replay must never pass because the store was down).
 * - `none`: a public client is returned with `isPublic: true`. Grants decide: the token-exchange
 *   grant refuses public clients with `unauthorized_client` (the ID-JAG draft: token exchange
 *   SHOULD only be supported for confidential clients; MCP stable §7.7: client authentication MUST
 *   be enforced).
 *
 * @see RFC 6749 §2.3, §3.2.1, §5.2; RFC 7521 §4.2; RFC 7523 §2.2, §3; RFC 9700 §2.5
 */
import type { IncomingHttpHeaders } from 'node:http';

import { Inject, Injectable, Logger } from '@nestjs/common';

import { Coordination } from '@crossgate/coordination';
import { clientAuthMethods, type clientKinds } from '@crossgate/domain';
import { type JwtKeyResolver, RemoteJwksCache, TokenError, type TokenErrorCode } from '@crossgate/token';

import { digest, digestMatches, verifyPassword } from '../../auth/index.ts';
import { Clock } from '../../platform/index.ts';
import { type Directory, type DirectoryClientRow, PolicyEngineService, servingSnapshot } from '../../policies/index.ts';
import { OAuthError } from '../../http/index.ts';
import { assertionClockToleranceSeconds, claimedClientId, verifyClientAssertion } from './client-assertion.ts';
import { authenticationFailed, presentedCredentials, type PresentedCredentials } from './presented-credentials.ts';

export type ClientAuthMethod = (typeof clientAuthMethods)[number];
export type ClientKind = (typeof clientKinds)[number];

/** The client a token request comes from, once authenticated. Never holds a secret or its hash. */
export interface AuthenticatedClient {
  /** Crossgate's row id. */
  id: string;
  /** The OAuth `client_id`. */
  clientId: string;
  authMethod: ClientAuthMethod;
  kind: ClientKind;
  scopeCeiling: string[];
  /** The client's id at the upstream IdP (the `aud` of its ID tokens). */
  idpClientId: string | null;
  /** Registered with `none`: identified, not authenticated. Grants that need a confidential client refuse it. */
  isPublic: boolean;
}

export interface AuthenticationRequest {
  headers: IncomingHttpHeaders;
  /** The parsed form body of the token request. */
  body: Record<string, unknown>;
  /** Crossgate's issuer identifier: the one `aud` a client assertion may carry. */
  tokenEndpointAudience: string;
}

/** A client of the directory (active, not deleted), with the directory it was found in. */
interface RegisteredClient {
  row: DirectoryClientRow;
  authMethod: ClientAuthMethod;
  directory: Directory;
}

function toAuthenticatedClient({ row, authMethod }: RegisteredClient): AuthenticatedClient {
  return {
    id: row.id,
    clientId: row.clientId,
    authMethod,
    kind: row.kind as ClientKind,
    scopeCeiling: [...row.scopeCeiling],
    idpClientId: row.idpClientId,
    isPublic: authMethod === 'none',
  };
}

/** How many verified secrets are remembered; the oldest is forgotten first. */
const maxVerifiedSecrets = 10_000;

const keyDependentCodes = new Set<TokenErrorCode>(['unknown_key', 'invalid_signature', 'keys_unavailable', 'disallowed_algorithm']);

const failed = () => new OAuthError('invalid_client', authenticationFailed);

@Injectable()
export class ClientAuthenticator {
  private readonly logger = new Logger('client-authentication');
  /** Client row id → the stored hash a secret passed argon2 against, and that secret's digest. */
  private readonly verifiedSecrets = new Map<string, { secretHash: string; secretDigest: string }>();

  constructor(
    private readonly policyEngine: PolicyEngineService,
    @Inject(Coordination) private readonly coordination: Coordination,
    private readonly clock: Clock,
    @Inject(RemoteJwksCache) private readonly jwksCache: RemoteJwksCache,
  ) {}

  /** Authenticates the client of a token request, or throws an {@link OAuthError}. */
  async authenticate(request: AuthenticationRequest): Promise<AuthenticatedClient> {
    const credentials = presentedCredentials(request.headers, request.body);
    switch (credentials.method) {
      case 'client_secret_basic':
      case 'client_secret_post':
        return this.withSecret(credentials);
      case 'private_key_jwt':
        return this.withAssertion(credentials.assertion, credentials.clientId, request.tokenEndpointAudience);
      case 'none':
        return this.publicClient(credentials.clientId);
      default: {
        const unreachable: never = credentials;
        return unreachable;
      }
    }
  }

  /** The active client, from the directory; none while the directory cannot be trusted to be current (fail closed). */
  private find(clientId: string): RegisteredClient | undefined {
    const { directory } = servingSnapshot(this.policyEngine);
    const row = directory.client(clientId);
    if (row === undefined) {
      return undefined;
    }
    const authMethod = row.authMethod as ClientAuthMethod;
    if (!clientAuthMethods.includes(authMethod)) {
      throw new TypeError(`Unknown client auth method ${String(authMethod)}`);
    }
    return { row, authMethod, directory };
  }

  private async withSecret(credentials: Extract<PresentedCredentials, { secret: string }>): Promise<AuthenticatedClient> {
    const client = this.find(credentials.clientId);
    const secretHash = client !== undefined && client.authMethod === credentials.method ? client.row.secretHash : null;
    if (client !== undefined && secretHash !== null && this.verifiedBefore(client.row.id, secretHash, credentials.secret)) {
      return toAuthenticatedClient(client);
    }
    // Always one argon2 verification: a decoy when there is nothing to compare with.
    const matches = await verifyPassword(secretHash, credentials.secret);
    if (client === undefined || secretHash === null || !matches) {
      throw failed();
    }
    this.rememberVerified(client.row.id, secretHash, credentials.secret);
    return toAuthenticatedClient(client);
  }

  /** True when this very secret already passed argon2 against the client's current hash. */
  private verifiedBefore(id: string, secretHash: string, secret: string): boolean {
    const verified = this.verifiedSecrets.get(id);
    return verified !== undefined && verified.secretHash === secretHash && digestMatches(secret, verified.secretDigest);
  }

  private rememberVerified(id: string, secretHash: string, secret: string): void {
    this.verifiedSecrets.delete(id);
    if (this.verifiedSecrets.size >= maxVerifiedSecrets) {
      this.verifiedSecrets.delete(this.verifiedSecrets.keys().next().value!);
    }
    this.verifiedSecrets.set(id, { secretHash, secretDigest: digest(secret) });
  }

  private publicClient(clientId: string): AuthenticatedClient {
    const client = this.find(clientId);
    if (client === undefined || client.authMethod !== 'none') {
      throw failed();
    }
    return toAuthenticatedClient(client);
  }

  private async withAssertion(assertion: string, bodyClientId: string | undefined, audience: string): Promise<AuthenticatedClient> {
    let clientId: string;
    try {
      clientId = claimedClientId(assertion);
    } catch (error) {
      throw this.assertionRefused(error, false);
    }
    if (bodyClientId !== undefined && bodyClientId !== clientId) {
      throw new OAuthError('invalid_client', 'The client_id parameter differs from the assertion subject');
    }
    const client = this.find(clientId);
    if (client === undefined || client.authMethod !== 'private_key_jwt') {
      throw failed();
    }
    let verified;
    try {
      verified = await verifyClientAssertion(assertion, { clientId, audience, keys: this.keysOf(client), now: this.clock.now() });
    } catch (error) {
      throw this.assertionRefused(error, true);
    }
    await this.consumeJti(client, verified.jti, verified.expiresAt);
    return toAuthenticatedClient(client);
  }

  /** The client's pinned JWKS when registered, else its `jwks_uri` through the SSRF-guarded cache. */
  private keysOf({ row, directory }: RegisteredClient): JwtKeyResolver {
    try {
      if (row.jwks !== null) {
        return directory.pinnedKeysOf(row);
      }
      if (row.jwksUri !== null) {
        return this.jwksCache.keyResolver(row.jwksUri);
      }
    } catch (error) {
      this.logger.warn(`Client ${row.clientId} has unusable keys: ${error instanceof Error ? error.message : String(error)}`);
    }
    throw new OAuthError('invalid_client', 'The client has no usable keys registered');
  }

  /**
   * Records the assertion's `jti` until it expires (plus the clock tolerance, during which it would
   * still be accepted). The key holds a digest, scoped to the client: jti values are only unique
   * per issuer (RFC 7519 §4.1.7).
   */
  private async consumeJti(client: RegisteredClient, jti: string, expiresAt: number): Promise<void> {
    const key = `client-assertion-jti:${digest(`${client.row.id}\n${jti}`)}`;
    const ttlMs = Math.max((expiresAt + assertionClockToleranceSeconds) * 1000 - this.clock.now().getTime(), 1000);
    let first: boolean;
    try {
      first = await this.coordination.setOnce(key, ttlMs);
    } catch (cause) {
      this.logger.warn(`Replay check unavailable for client ${client.row.clientId}: ${cause instanceof Error ? cause.message : String(cause)}`);
      throw new OAuthError('temporarily_unavailable', 'The replay check is unavailable; try again later', { cause });
    }
    if (!first) {
      throw new OAuthError('invalid_client', 'The client assertion was already used (jti replay)');
    }
  }

  private assertionRefused(error: unknown, keysConsulted: boolean): OAuthError {
    if (error instanceof OAuthError) {
      return error;
    }
    if (error instanceof TokenError) {
      // Until the signature verifies, say no more than for an unknown client (no enumeration by
      // sending unsigned guesses); after it, the claim at fault helps the client's developer.
      if (keysConsulted && keyDependentCodes.has(error.code)) {
        // An unreachable jwks_uri is the operator's business too; a bad signature is only the client's.
        if (error.code === 'keys_unavailable') {
          this.logger.warn(`Client assertion refused, the client's keys are unavailable: ${error.message}`);
        } else {
          this.logger.debug(`Client assertion refused: ${error.code}`);
        }
        return failed();
      }
      return new OAuthError('invalid_client', `The client assertion was refused: ${error.message}`, { cause: error });
    }
    throw error;
  }
}
