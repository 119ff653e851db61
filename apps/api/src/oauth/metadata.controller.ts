/**
 * @overview Authorization server metadata for Crossgate's IdP role, the issuer of ID-JAGs. Clients
 * (the MCP SDK's `discoverAndRequestJwtAuthGrant` among them) discover the token endpoint and the
 * keys here.
 *
 * - Only the token-exchange grant is advertised: ID-JAGs are redeemed at a resource-side
 *   authorization server, which has its own issuer and metadata, never at this one.
 * - `response_types_supported` is `[]`: RFC 8414 §2 makes the member REQUIRED, and this issuer
 *   supports no response type (SPEC.md §9 question 11).
 * - `authorization_endpoint` is published although no grant here uses it: the MCP SDK's
 *   `discoverAndRequestJwtAuthGrant` validates metadata with a schema that requires it (DESIGN.md
 *   protocol decision 7). It answers every request with `unsupported_response_type`.
 *
 * @see RFC 8414 §2, §3; draft-ietf-oauth-identity-assertion-authz-grant (IdP metadata); SPEC.md §4
 */
import { Controller, Get, Header } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';

import type { Config } from '@crossgate/config';
import { asymmetricAlgorithms, grantTypes, tokenTypes } from '@crossgate/token';

import { Public } from '../auth/index.ts';
import { InjectConfig } from '../platform/index.ts';
import { tokenEndpointPath } from './token-endpoint.ts';

export interface AuthorizationServerMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  grant_types_supported: string[];
  response_types_supported: string[];
  token_endpoint_auth_methods_supported: string[];
  token_endpoint_auth_signing_alg_values_supported: string[];
  identity_chaining_requested_token_types_supported: string[];
}

/** Client authentication at the token endpoint (SPEC.md §2.1), strongest first. */
export const tokenEndpointAuthMethods = ['private_key_jwt', 'client_secret_basic', 'client_secret_post'];

@ApiTags('oauth')
@Controller('.well-known/oauth-authorization-server')
export class MetadataController {
  private readonly metadata: AuthorizationServerMetadata;

  constructor(@InjectConfig() config: Config) {
    const issuer = config.http.publicUrl;
    this.metadata = {
      issuer,
      authorization_endpoint: `${issuer}/oauth2/authorize`,
      token_endpoint: `${issuer}${tokenEndpointPath}`,
      jwks_uri: `${issuer}/oauth2/jwks`,
      grant_types_supported: [grantTypes.tokenExchange],
      response_types_supported: [],
      token_endpoint_auth_methods_supported: tokenEndpointAuthMethods,
      token_endpoint_auth_signing_alg_values_supported: [...asymmetricAlgorithms],
      identity_chaining_requested_token_types_supported: [tokenTypes.idJag],
    };
  }

  @Get()
  @Public()
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({ summary: 'RFC 8414 metadata of the IdP role (issuer of ID-JAGs)' })
  get(): AuthorizationServerMetadata {
    return this.metadata;
  }
}
