/**
 * @overview How an upstream IdP's ID token issued to one of Crossgate's clients is verified: from an
 * active trusted IdP (exact `iss`), which accepts tokens for that client, signed by the IdP's pinned
 * JWKS, its `jwks_uri`, or, when neither is set, the `jwks_uri` of its OIDC discovery document (kept
 * for ten minutes per issuer). The token exchange (its subject token) and the STS consent withdrawal
 * (the user's proof) both verify ID tokens this way.
 */
import { Inject, Injectable } from '@nestjs/common';

import type { Config } from '@crossgate/config';
import { discoverOpenIdProvider, type JwtKeyResolver, RemoteJwksCache, selectTrustedIssuer, type VerifiedIdToken, verifyIdToken } from '@crossgate/token';

import type { Directory, DirectoryIdpRow } from '../policies/index.ts';
import { Clock, InjectConfig } from '../platform/index.ts';
import { OAuthError } from '../http/index.ts';

/** Discovered `jwks_uri`s are kept this long before the issuer's metadata is read again. */
const discoveryMaxAgeMs = 10 * 60 * 1000;

@Injectable()
export class IdTokenVerifier {
  private readonly allowInsecureLoopback: boolean;
  private readonly discovered = new Map<string, { jwksUri: string; at: number }>();

  constructor(
    @InjectConfig() config: Config,
    @Inject(RemoteJwksCache) private readonly jwksCache: RemoteJwksCache,
    private readonly clock: Clock,
  ) {
    // Loopback http only outside production (local development and tests), as for the JWKS cache.
    this.allowInsecureLoopback = config.environment !== 'production';
  }

  /**
   * Verifies `token` as an ID token issued to the client whose id at the IdP is `idpClientId`.
   * @throws OAuthError `invalid_grant` when the client or the IdP accepts no such token; TokenError
   *   (or another Error) when the token itself is not valid.
   */
  async verify(directory: Directory, idpClientId: string | null, token: string): Promise<{ idp: DirectoryIdpRow; idToken: VerifiedIdToken }> {
    const idp = selectTrustedIssuer(token, (issuer) => directory.idp(issuer));
    if (idpClientId === null) {
      throw new OAuthError('invalid_grant', 'The client has no client id at the IdP registered, so no ID token can be accepted from it');
    }
    if (idp.audiences.length > 0 && !idp.audiences.includes(idpClientId)) {
      throw new OAuthError('invalid_grant', 'The IdP is not configured to accept ID tokens issued to this client');
    }
    const idToken = await verifyIdToken(token, {
      issuer: idp.issuer,
      audience: idpClientId,
      keys: await this.keysOf(directory, idp),
      now: this.clock.now(),
      groupsClaim: idp.groupsClaim,
    });
    return { idp, idToken };
  }

  /** The resolver for `idp`'s signing keys. */
  private async keysOf(directory: Directory, idp: DirectoryIdpRow): Promise<JwtKeyResolver> {
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
