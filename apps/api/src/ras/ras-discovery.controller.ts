/**
 * @overview The discovery documents of each protected resource's authorization server: RFC 8414
 * metadata at `/.well-known/oauth-authorization-server/ras/<slug>` (the well-known suffix inserted
 * before the issuer's path, RFC 8414 §3.1), where clients (the MCP SDK's `CrossAppAccessProvider`
 * among them) learn that the server redeems ID-JAGs (`authorization_grant_profiles_supported`), and
 * the JWK Set of its access-token keys at `<issuer>/jwks` (five minutes of caching, as for the IdP
 * role: a key is published as `next` before it signs).
 *
 * - Which IdPs the server trusts is never disclosed (the draft's "Metadata Disclosure").
 * - `response_types_supported` is `[]`: RFC 8414 makes it REQUIRED and this server has no
 *   authorization endpoint (SPEC.md §9 question 11, as for the IdP role).
 * - `authorization_endpoint` is published although no grant here uses it: the MCP SDK's client
 *   validates metadata with a schema that requires it (DESIGN.md protocol decision 7); it answers
 *   every request with `unsupported_response_type`, like the IdP role's.
 * - An unknown slug or a resource not protected by Crossgate is 404.
 * @see RFC 8414 §2, §3; draft-ietf-oauth-identity-assertion-authz-grant-03 (RAS metadata); SPEC.md §4
 */
import { Controller, Get, Header, HttpCode, NotFoundException, Param, Post, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { JSONWebKeySet } from 'jose';

import type { Config } from '@crossgate/config';
import { PolicyUnavailableError } from '@crossgate/policy';
import { asymmetricAlgorithms, grantTypes, idJagGrantProfile } from '@crossgate/token';

import { Public } from '../auth/index.ts';
import { tokenEndpointAuthMethods } from '../oauth/index.ts';
import { type DirectoryResourceRow, PolicyEngineService } from '../policies/index.ts';
import { InjectConfig } from '../platform/index.ts';
import { rasEndpoints, rasIssuer, rasKeyRole } from './ras-issuer.ts';
import { RasKeysService } from './ras-keys.service.ts';

export interface ResourceAuthorizationServerMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  introspection_endpoint: string;
  revocation_endpoint: string;
  grant_types_supported: string[];
  authorization_grant_profiles_supported: string[];
  response_types_supported: string[];
  token_endpoint_auth_methods_supported: string[];
  token_endpoint_auth_signing_alg_values_supported: string[];
  introspection_endpoint_auth_methods_supported: string[];
  revocation_endpoint_auth_methods_supported: string[];
  scopes_supported: string[];
}

/** RFC 6749 §4.1.2.1, without a redirect (no redirect URI is registered here). */
const authorizationRefusal = {
  error: 'unsupported_response_type',
  error_description: 'This authorization server only redeems ID-JAGs with the JWT bearer grant at its token endpoint',
};

@ApiTags('oauth')
@Controller()
export class RasDiscoveryController {
  constructor(
    @InjectConfig() private readonly config: Config,
    private readonly policyEngine: PolicyEngineService,
    private readonly keys: RasKeysService,
  ) {}

  @Get('.well-known/oauth-authorization-server/ras/:slug')
  @Public()
  @Header('Cache-Control', 'public, max-age=60')
  @ApiOperation({ summary: "RFC 8414 metadata of a protected resource's authorization server (redeems ID-JAGs)" })
  metadata(@Param('slug') slug: string): ResourceAuthorizationServerMetadata {
    const resource = this.protectedResource(slug);
    const issuer = rasIssuer(this.config.http.publicUrl, resource.slug);
    const endpoints = rasEndpoints(issuer);
    return {
      issuer,
      authorization_endpoint: endpoints.authorization,
      token_endpoint: endpoints.token,
      jwks_uri: endpoints.jwks,
      introspection_endpoint: endpoints.introspection,
      revocation_endpoint: endpoints.revocation,
      grant_types_supported: [grantTypes.jwtBearer],
      authorization_grant_profiles_supported: [idJagGrantProfile],
      response_types_supported: [],
      token_endpoint_auth_methods_supported: tokenEndpointAuthMethods,
      introspection_endpoint_auth_methods_supported: tokenEndpointAuthMethods,
      revocation_endpoint_auth_methods_supported: tokenEndpointAuthMethods,
      token_endpoint_auth_signing_alg_values_supported: [...asymmetricAlgorithms],
      scopes_supported: [...resource.scopeNames],
    };
  }

  @Get('ras/:slug/jwks')
  @Public()
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({ summary: "The public JWK Set that verifies a protected resource's access tokens" })
  jwks(@Param('slug') slug: string): Promise<JSONWebKeySet> {
    return this.keys.jwks(rasKeyRole(this.protectedResource(slug).slug));
  }

  @Get('ras/:slug/authorize')
  @Public()
  @HttpCode(400)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Always refused: a resource-side authorization server only redeems ID-JAGs' })
  refuseGet(@Param('slug') slug: string): typeof authorizationRefusal {
    this.protectedResource(slug);
    return authorizationRefusal;
  }

  @Post('ras/:slug/authorize')
  @Public()
  @HttpCode(400)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Always refused: a resource-side authorization server only redeems ID-JAGs' })
  refusePost(@Param('slug') slug: string): typeof authorizationRefusal {
    this.protectedResource(slug);
    return authorizationRefusal;
  }

  /** The resource protected under `slug`; 404 for anything else. */
  private protectedResource(slug: string): DirectoryResourceRow {
    let directory;
    try {
      directory = this.policyEngine.snapshot().directory;
    } catch (error) {
      if (error instanceof PolicyUnavailableError) {
        throw new ServiceUnavailableException('The directory is being reloaded; try again shortly');
      }
      throw error;
    }
    const resource = directory.protectedResource(slug);
    if (resource === undefined) {
      throw new NotFoundException('No authorization server is published here');
    }
    return resource;
  }
}
