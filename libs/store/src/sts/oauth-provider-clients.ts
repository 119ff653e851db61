/**
 * @overview Crossgate as an OAuth client of each third-party provider (openid-client): the
 * provider's metadata discovered from its issuer, with the endpoints an admin set taking precedence
 * (a provider without discovery names its authorization and token endpoints), and the vaulted
 * client secret for `client_secret_basic`. Configurations are cached per provider until its row or
 * secret changes.
 *
 * @see RFC 8414 (discovery), RFC 6749 §2.3.1 (client authentication)
 */
import * as oidc from 'openid-client';

import type { PrismaClient } from '../database.ts';
import type { SecretStore } from '../vault/secret-store.ts';

/** What the STS flows need to know about a provider, besides its openid-client configuration. */
export interface OAuthProviderRow {
  id: string;
  name: string;
  issuer: string;
  clientId: string;
  clientSecretId: string | null;
  scopes: string[];
  authorizationEndpoint: string | null;
  tokenEndpoint: string | null;
  revocationEndpoint: string | null;
  status: string;
  updatedAt: Date;
}

export interface ProviderClient {
  provider: OAuthProviderRow;
  configuration: oidc.Configuration;
}

/** Seconds an upstream call may take before it counts as the provider being down. */
const upstreamTimeoutSeconds = 5;

function isLoopback(url: string): boolean {
  const { hostname } = new URL(url);
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}

/** Shared by the API (consent, brokering, withdrawal, admin sign-in) and the worker (a kill switch's revocations). */
export class OAuthProviderClients {
  private readonly cache = new Map<string, { version: string; configuration: Promise<oidc.Configuration> }>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly secrets: SecretStore,
    /** Plain http to loopback providers (development and tests); never in production. */
    private readonly options: { allowInsecureLoopback: boolean },
  ) {}

  /** The provider of an active `sts` connection, or null when the connection is not one. */
  async forConnection(connectionId: string): Promise<(ProviderClient & { connection: { id: string; clientId: string; resourceId: string } }) | null> {
    const connection = await this.prisma.connection.findFirst({
      where: { id: connectionId, pattern: 'sts', status: 'active', deletedAt: null },
      select: { id: true, clientId: true, resourceId: true, oauthProvider: true },
    });
    const provider = connection?.oauthProvider;
    if (!connection || !provider || provider.status !== 'active' || provider.deletedAt !== null) {
      return null;
    }
    return { connection: { id: connection.id, clientId: connection.clientId, resourceId: connection.resourceId }, provider, configuration: await this.configurationOf(provider) };
  }

  /** An active provider by id (the console's admin sign-in at an IdP), or null when it is not one. */
  async byId(providerId: string): Promise<ProviderClient | null> {
    const provider = await this.prisma.oauthProvider.findFirst({ where: { id: providerId, status: 'active', deletedAt: null } });
    return provider === null ? null : { provider, configuration: await this.configurationOf(provider) };
  }

  private configurationOf(provider: OAuthProviderRow): Promise<oidc.Configuration> {
    const version = `${provider.updatedAt.toISOString()}|${provider.clientSecretId ?? ''}`;
    const cached = this.cache.get(provider.id);
    if (cached !== undefined && cached.version === version) {
      return cached.configuration;
    }
    const configuration = this.build(provider);
    this.cache.set(provider.id, { version, configuration });
    // A provider that could not be reached is asked again next time, not remembered as broken.
    configuration.catch(() => {
      if (this.cache.get(provider.id)?.configuration === configuration) {
        this.cache.delete(provider.id);
      }
    });
    return configuration;
  }

  private async build(provider: OAuthProviderRow): Promise<oidc.Configuration> {
    // Plain http only to loopback outside production: the local providers of development and tests.
    const insecure = this.options.allowInsecureLoopback && isLoopback(provider.issuer);
    const explicit = provider.authorizationEndpoint !== null && provider.tokenEndpoint !== null;
    const discovered: oidc.ServerMetadata = explicit
      ? { issuer: provider.issuer }
      : (await oidc.discovery(new URL(provider.issuer), provider.clientId, undefined, oidc.None(), { execute: insecure ? [oidc.allowInsecureRequests] : [], timeout: upstreamTimeoutSeconds })).serverMetadata();
    const metadata: oidc.ServerMetadata = {
      ...discovered,
      ...(provider.authorizationEndpoint === null ? {} : { authorization_endpoint: provider.authorizationEndpoint }),
      ...(provider.tokenEndpoint === null ? {} : { token_endpoint: provider.tokenEndpoint }),
      ...(provider.revocationEndpoint === null ? {} : { revocation_endpoint: provider.revocationEndpoint }),
    };
    const clientAuthentication =
      provider.clientSecretId === null ? oidc.None() : oidc.ClientSecretBasic((await this.secrets.current(provider.clientSecretId)).value.toString('utf8'));
    const configuration = new oidc.Configuration(metadata, provider.clientId, undefined, clientAuthentication);
    configuration.timeout = upstreamTimeoutSeconds;
    if (insecure) {
      oidc.allowInsecureRequests(configuration);
    }
    return configuration;
  }
}
