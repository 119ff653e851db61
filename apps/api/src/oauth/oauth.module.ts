/** The OAuth protocol surface: metadata, the JWK Set and (next) the token endpoint. */
import { Module } from '@nestjs/common';

import { IssuerKeysService } from './issuer-keys.service.ts';
import { JwksController } from './jwks.controller.ts';
import { MetadataController } from './metadata.controller.ts';

@Module({
  controllers: [MetadataController, JwksController],
  providers: [IssuerKeysService],
  exports: [IssuerKeysService],
})
export class OAuthModule {}
