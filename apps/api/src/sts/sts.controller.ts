/**
 * @overview The STS routes a person or their agent calls, outside the admin API: the consent URI
 * (a redirect to the provider), the provider's callback (a plain page), and the user's withdrawal
 * (authenticated by their own ID token, answered in OAuth JSON). See StsConsentService.
 */
import { Controller, Delete, Get, Headers, HttpCode, Param, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';

import { type AuthenticatedRequest, Public } from '../auth/index.ts';
import { OAuthErrorFilter } from '../http/index.ts';
import { plainPage, setPageHeaders, StsPageFilter } from './sts.error.ts';
import { type EndedConsent, StsConsentService } from './sts-consent.service.ts';

@ApiTags('sts')
@Controller('sts')
export class StsController {
  constructor(private readonly consents: StsConsentService) {}

  @Get('consent/:ticket')
  @Public()
  @UseFilters(StsPageFilter)
  @ApiOperation({ summary: 'Open a consent URI: redirects to the provider to consent (single use, 10 minutes)' })
  async start(@Param('ticket') ticket: string, @Req() request: AuthenticatedRequest, @Res() response: Response): Promise<void> {
    const authorizationUrl = await this.consents.start(ticket, request.requestId ?? null);
    setPageHeaders(response);
    response.redirect(302, authorizationUrl.href);
  }

  @Get('callback')
  @Public()
  @UseFilters(StsPageFilter)
  @ApiOperation({ summary: "The provider's redirect back after consent: vaults the refresh token" })
  async callback(@Query() query: Record<string, unknown>, @Req() request: AuthenticatedRequest, @Res() response: Response): Promise<void> {
    const { providerName } = await this.consents.callback(query, request.requestId ?? null);
    setPageHeaders(response);
    response.status(200).type('html').send(plainPage('Consent recorded', `Your agent may now act at ${providerName} for you. You can close this page.`));
  }

  @Delete('consents/:connectionId')
  @HttpCode(200)
  @Public()
  @UseFilters(OAuthErrorFilter)
  @ApiOperation({ summary: "Withdraw your consent on an STS connection (Authorization: Bearer <your ID token>)" })
  withdraw(@Param('connectionId') connectionId: string, @Headers('authorization') authorization: string | undefined, @Req() request: AuthenticatedRequest): Promise<EndedConsent> {
    return this.consents.withdraw(connectionId, authorization, request.requestId ?? null);
  }
}
