/** The OAuth protocol surface: metadata, the JWK Set, the token endpoint with client authentication and the token-exchange grant. */
import { Module } from '@nestjs/common';

import { ConnectionsModule } from '../connections/index.ts';
import { KillSwitchesModule } from '../kill-switches/index.ts';
import { PoliciesModule } from '../policies/index.ts';
import { TrustedIdpsModule } from '../trusted-idps/index.ts';
import { UsersModule } from '../users/index.ts';
import { AuthorizeController } from './authorize.controller.ts';
import { ClientAuthenticator } from './client-authentication/client-authenticator.ts';
import { TokenExchangeServices } from './grants/token-exchange.grant.ts';
import { IssuanceRecorder } from './issuance-recorder.service.ts';
import { IssuerKeysService } from './issuer-keys.service.ts';
import { JwksController } from './jwks.controller.ts';
import { MetadataController } from './metadata.controller.ts';
import { TokenEndpoint } from './token-endpoint.ts';

@Module({
  imports: [ConnectionsModule, KillSwitchesModule, PoliciesModule, TrustedIdpsModule, UsersModule],
  controllers: [MetadataController, JwksController, AuthorizeController],
  providers: [IssuerKeysService, ClientAuthenticator, TokenExchangeServices, IssuanceRecorder, TokenEndpoint],
  exports: [IssuerKeysService, ClientAuthenticator, TokenExchangeServices, IssuanceRecorder],
})
export class OAuthModule {}
