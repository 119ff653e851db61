/** The admin route that ends a user's STS consent; the list and detail are the CRUD resource's. */
import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';

import { Authorize, Context, type RequestContext } from '../auth/index.ts';
import { type EndedConsent, StsConsentService } from './sts-consent.service.ts';

@ApiTags('sts-consents')
@Controller('api/sts-consents')
export class StsConsentsController {
  constructor(private readonly consents: StsConsentService) {}

  @Post(':id/revoke')
  @HttpCode(200)
  @Authorize('sts-consents:write')
  @ApiOperation({ summary: "Revoke a user's consent: the provider is asked to revoke the refresh token, which is retired here whatever it answers" })
  revoke(@Param('id') id: string, @Context() context: RequestContext): Promise<EndedConsent> {
    return this.consents.revoke(id, context);
  }
}
