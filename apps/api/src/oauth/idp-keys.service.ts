/**
 * @overview The keys an upstream IdP's ID tokens are verified with: the IdP's pinned JWKS, its
 * `jwks_uri`, or, when neither is set, the `jwks_uri` of its OIDC discovery document (kept for ten
 * minutes per issuer). The token exchange and the STS consent withdrawal both verify ID tokens this way.
 */
import { Inject, Injectable } from '@nestjs/common';

import type { Config } from '@crossgate/config';
import { discoverOpenIdProvider, type JwtKeyResolver, RemoteJwksCache } from '@crossgate/token';

import type { Directory, DirectoryIdpRow } from '../policies/directory.ts';
import { Clock, InjectConfig } from '../platform/platform.module.ts';

/** Discovered `jwks_uri`s are kept this long before the issuer's metadata is read again. */
const discoveryMaxAgeMs = 10 * 60 * 1000;

@Injectable()
export class IdpKeys {
  private readonly allowInsecureLoopback: boolean;
  private readonly discovered = new Map<string, { jwksUri: string; at: number }>();

  constructor(
    @InjectConfig() config: Config,
    private readonly clock: Clock,
    @Inject(RemoteJwksCache) private readonly jwksCache: RemoteJwksCache,
  ) {
    // Loopback http only outside production (local development and tests), as for the JWKS cache.
    this.allowInsecureLoopback = config.environment !== 'production';
  }

  /** The resolver for `idp`'s signing keys. */
  async of(directory: Directory, idp: DirectoryIdpRow): Promise<JwtKeyResolver> {
    if (idp.jwks !== null && idp.jwks !== undefined) {
      return directory.pinnedKeysOf(idp);
    }
    return this.jwksCache.keyResolver(idp.jwksUri ?? (await this.discoveredJwksUri(idp.issuer)));
  }

  private async discoveredJwksUri(issuer: string): Promise<string> {
    const now = this.clock.now().getTime();
    const cached = this.discovered.get(issuer);
    if (cached !== undefined && now - cached.at < discoveryMaxAgeMs) {
      return cached.jwksUri;
    }
    const metadata = await discoverOpenIdProvider(issuer, { allowInsecureLoopback: this.allowInsecureLoopback });
    this.discovered.set(issuer, { jwksUri: metadata.jwksUri, at: now });
    return metadata.jwksUri;
  }
}
