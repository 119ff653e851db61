/**
 * @overview The SSF transmitter's HTTP face: its configuration metadata, the JWK Set that verifies
 * its SETs, and the stream management endpoints a receiver (or an admin on its behalf) calls with an
 * admin API token as a Bearer token.
 *
 * @see OpenID SSF 1.0 §7.1 (metadata), §8.1.1 (configuration), §8.1.2 (status), §8.1.4 (verification)
 */
import { Body, Controller, Delete, Get, Header, HttpCode, Inject, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { JSONWebKeySet } from 'jose';

import type { Config } from '@crossgate/config';
import { securityEventSigningRole } from '@crossgate/token';

import { Authorize, Context, Public, type RequestContext } from '../auth/index.ts';
import { IssuerKeysService } from '../oauth/index.ts';
import { InjectConfig } from '../platform/index.ts';
import { pushDeliveryMethod, type StreamConfiguration, type StreamStatus, SsfStreamsService } from './ssf-streams.service.ts';

/** SSF 1.0 §7.1 transmitter configuration metadata. */
export interface TransmitterMetadata {
  spec_version: '1_0';
  issuer: string;
  jwks_uri: string;
  delivery_methods_supported: string[];
  configuration_endpoint: string;
  status_endpoint: string;
  verification_endpoint: string;
  authorization_schemes: { spec_urn: string }[];
  default_subjects: 'ALL' | 'NONE';
}

@ApiTags('ssf')
@Controller()
export class SsfController {
  private readonly metadata: TransmitterMetadata;

  constructor(
    @Inject(SsfStreamsService) private readonly streams: SsfStreamsService,
    @Inject(IssuerKeysService) private readonly keys: IssuerKeysService,
    @InjectConfig() config: Config,
  ) {
    const base = config.http.publicUrl;
    this.metadata = {
      spec_version: '1_0',
      issuer: base,
      jwks_uri: `${base}/ssf/jwks`,
      delivery_methods_supported: [pushDeliveryMethod],
      configuration_endpoint: `${base}/ssf/streams`,
      status_endpoint: `${base}/ssf/status`,
      verification_endpoint: `${base}/ssf/verify`,
      // Bearer tokens (RFC 6750) issued by Crossgate's admin API, used as OAuth access tokens.
      authorization_schemes: [{ spec_urn: 'urn:ietf:rfc:6749' }],
      // Every enabled stream hears of every kill switch in its reach; there are no per-subject lists.
      default_subjects: 'ALL',
    };
  }

  @Get('.well-known/ssf-configuration')
  @Public()
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({ summary: 'SSF 1.0 transmitter configuration metadata' })
  configuration(): TransmitterMetadata {
    return this.metadata;
  }

  @Get('ssf/jwks')
  @Public()
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({ summary: "The public JWK Set that verifies Crossgate's Security Event Tokens" })
  jwks(): Promise<JSONWebKeySet> {
    return this.keys.jwks(securityEventSigningRole);
  }

  @Post('ssf/streams')
  @Authorize('ssf-streams:write')
  @ApiOperation({ summary: 'Create a push stream (RFC 8935); answers its configuration' })
  create(@Body() body: unknown, @Context() context: RequestContext): Promise<StreamConfiguration> {
    return this.streams.create(body, context);
  }

  @Get('ssf/streams')
  @Authorize('ssf-streams:read')
  @ApiOperation({ summary: 'Read one stream (stream_id) or every stream' })
  read(@Query('stream_id') streamId: string | undefined): Promise<StreamConfiguration | StreamConfiguration[]> {
    return this.streams.read(streamId);
  }

  @Patch('ssf/streams')
  @Authorize('ssf-streams:write')
  @ApiOperation({ summary: 'Update the members of a stream given in the body' })
  update(@Body() body: unknown, @Context() context: RequestContext): Promise<StreamConfiguration> {
    return this.streams.update(body, context);
  }

  @Put('ssf/streams')
  @Authorize('ssf-streams:write')
  @ApiOperation({ summary: "Replace a stream's configuration" })
  replace(@Body() body: unknown, @Context() context: RequestContext): Promise<StreamConfiguration> {
    return this.streams.replace(body, context);
  }

  @Delete('ssf/streams')
  @HttpCode(204)
  @Authorize('ssf-streams:write')
  @ApiOperation({ summary: 'Delete a stream: it receives nothing more' })
  delete(@Query('stream_id') streamId: string | undefined, @Context() context: RequestContext): Promise<void> {
    return this.streams.delete(streamId, context);
  }

  @Get('ssf/status')
  @Authorize('ssf-streams:read')
  @ApiOperation({ summary: "A stream's status: enabled, paused or disabled" })
  status(@Query('stream_id') streamId: string | undefined): Promise<StreamStatus> {
    return this.streams.status(streamId);
  }

  @Post('ssf/status')
  @HttpCode(200)
  @Authorize('ssf-streams:write')
  @ApiOperation({ summary: "Set a stream's status" })
  setStatus(@Body() body: unknown, @Context() context: RequestContext): Promise<StreamStatus> {
    return this.streams.setStatus(body, context);
  }

  @Post('ssf/verify')
  @HttpCode(204)
  @Authorize('ssf-streams:write')
  @ApiOperation({ summary: 'Ask for a verification SET carrying the given state' })
  verify(@Body() body: unknown, @Context() context: RequestContext): Promise<void> {
    return this.streams.verify(body, context);
  }
}
