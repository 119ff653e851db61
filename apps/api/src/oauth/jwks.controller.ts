/**
 * @overview The IdP role's `jwks_uri`: the public keys that verify Crossgate's ID-JAGs. Five minutes
 * of caching is safe because the key that becomes active at the next rotation is already published
 * as `next`, and a retired key stays published for longer than anything it signed lives.
 * @see RFC 8414 §2 (`jwks_uri`), RFC 7517 §5
 */
import { Controller, Get, Header } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { JSONWebKeySet } from 'jose';

import { Public } from '../auth/index.ts';
import { idpRole, IssuerKeysService } from './issuer-keys.service.ts';

@ApiTags('oauth')
@Controller('oauth2/jwks')
export class JwksController {
  constructor(private readonly keys: IssuerKeysService) {}

  @Get()
  @Public()
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({ summary: "The public JWK Set that verifies Crossgate's ID-JAGs" })
  jwks(): Promise<JSONWebKeySet> {
    return this.keys.jwks(idpRole);
  }
}
