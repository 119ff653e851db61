/**
 * The SSF transmitter (OpenID SSF 1.0): metadata, the SET verification keys and stream management.
 * The kill-switch fan-out in the worker is what pushes SETs to the streams registered here.
 */
import { Module } from '@nestjs/common';

import { OAuthModule } from '../oauth/index.ts';
import { SsfController } from './ssf.controller.ts';
import { SsfStreamsService } from './ssf-streams.service.ts';

@Module({
  imports: [OAuthModule],
  controllers: [SsfController],
  providers: [SsfStreamsService],
  exports: [SsfStreamsService],
})
export class SsfModule {}
