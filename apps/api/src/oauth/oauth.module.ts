/** The OAuth protocol surface: metadata and the JWK Set (the token endpoint is registered in AppModule, beside the services it uses). */
import { Module } from '@nestjs/common';

import { IssuerKeysService } from './issuer-keys.service.ts';
import { JwksController } from './jwks.controller.ts';
import { AuthorizeController } from './authorize.controller.ts';
import { MetadataController } from './metadata.controller.ts';

@Module({
  controllers: [MetadataController, JwksController, AuthorizeController],
  providers: [IssuerKeysService],
  exports: [IssuerKeysService],
})
export class OAuthModule {}
