/**
 * @overview Picks the access-token validation the configuration asks for. Both verifiers implement
 * the MCP SDK's `OAuthTokenVerifier`, so the bearer gate does not know which one it runs.
 */
import { type OAuthTokenVerifier } from '@modelcontextprotocol/server';

import { type AuthorizationServer } from '../authorization-server/authorization-server.ts';
import { type DemoMcpConfig } from '../config/demo-mcp.config.ts';
import { IntrospectionVerifier } from './introspection.verifier.ts';
import { JwtAccessTokenVerifier } from './jwt-access-token.verifier.ts';

export function createAccessTokenVerifier(config: DemoMcpConfig, authorizationServer: AuthorizationServer): OAuthTokenVerifier {
  const validation = config.tokenValidation;
  switch (validation.mode) {
    case 'jwks':
      return new JwtAccessTokenVerifier(authorizationServer, config.resource, config.authorizationServer.clockSkewSeconds);
    case 'introspection':
      return new IntrospectionVerifier(authorizationServer, config.resource, validation);
  }
}
