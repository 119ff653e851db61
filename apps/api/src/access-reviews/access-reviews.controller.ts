import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';

import type { AccessReviewCampaignRecord, AccessReviewCertification, AccessReviewItemRecord, AccessReviewProgress } from '@crossgate/store';

import { Authorize, Context, type RequestContext } from '../auth/index.ts';
import { contentRange, type RawListQuery } from '../http/index.ts';
import { AccessReviewExport, type RecordedExport } from './access-review-export.service.ts';
import type { RemediationSummary } from './access-review-remediation.service.ts';
import { AccessReviewsService } from './access-reviews.service.ts';

@ApiTags('access-reviews')
@Controller('api/access-reviews')
export class AccessReviewsController {
  constructor(
    private readonly reviews: AccessReviewsService,
    private readonly evidence: AccessReviewExport,
  ) {}

  @Get('campaigns')
  @Authorize('access-reviews:read')
  @ApiOperation({ summary: 'Access-review campaigns (list dialect)' })
  async list(@Query() query: RawListQuery, @Res({ passthrough: true }) response: Response): Promise<AccessReviewCampaignRecord[]> {
    const { records, skip, total } = await this.reviews.list(query);
    response.setHeader('Content-Range', contentRange('campaigns', skip, records.length, total));
    return records;
  }

  @Post('campaigns')
  @Authorize('access-reviews:write')
  @ApiOperation({ summary: 'Create a draft campaign over a scope, with a due date and a reviewer rule' })
  create(@Body() body: unknown, @Context() context: RequestContext): Promise<AccessReviewCampaignRecord> {
    return this.reviews.create(body, context);
  }

  @Get('campaigns/:id')
  @Authorize('access-reviews:read')
  @ApiOperation({ summary: 'One campaign' })
  find(@Param('id') id: string): Promise<AccessReviewCampaignRecord> {
    return this.reviews.find(id);
  }

  @Get('campaigns/:id/progress')
  @Authorize('access-reviews:read')
  @ApiOperation({ summary: 'How far the review has come: items decided (certify, revoke, narrow) and undecided' })
  progress(@Param('id') id: string): Promise<AccessReviewProgress> {
    return this.reviews.progress(id);
  }

  @Get('certifications/latest')
  @Authorize('access-reviews:read')
  @ApiOperation({ summary: 'The latest decision on a review item of a policy (policyId), covering one user when userId is given' })
  lastCertification(@Query() query: unknown): Promise<{ certification: AccessReviewCertification | null }> {
    return this.reviews.lastCertification(query);
  }

  @Post('campaigns/:id/launch')
  @HttpCode(200)
  @Authorize('access-reviews:write')
  @ApiOperation({ summary: 'Snapshot the items from effective access, with their evidence, and assign reviewers' })
  launch(@Param('id') id: string, @Context() context: RequestContext): Promise<AccessReviewCampaignRecord> {
    return this.reviews.launch(id, context);
  }

  @Post('campaigns/:id/close')
  @HttpCode(200)
  @Authorize('access-reviews:write')
  @ApiOperation({ summary: 'Close: undecided items take the configured outcome, revoke and narrow decisions are applied' })
  close(@Param('id') id: string, @Context() context: RequestContext): Promise<AccessReviewCampaignRecord> {
    return this.reviews.close(id, context);
  }

  @Post('campaigns/:id/remediate')
  @HttpCode(200)
  @Authorize('access-reviews:write')
  @ApiOperation({ summary: 'Apply what a closed campaign still has pending (after a close that stopped part-way)' })
  remediate(@Param('id') id: string, @Context() context: RequestContext): Promise<RemediationSummary> {
    return this.reviews.retryRemediation(id, context);
  }

  @Get('campaigns/:id/items')
  @Authorize('access-reviews:read')
  @ApiOperation({ summary: "Every item of a campaign, whoever reviews it (list dialect)" })
  async items(@Param('id') id: string, @Query() query: RawListQuery, @Res({ passthrough: true }) response: Response): Promise<AccessReviewItemRecord[]> {
    const { records, skip, total } = await this.reviews.items(id, query);
    response.setHeader('Content-Range', contentRange('items', skip, records.length, total));
    return records;
  }

  @Post('campaigns/:id/decisions')
  @HttpCode(200)
  @Authorize('access-reviews:review')
  @ApiOperation({ summary: 'Certify or revoke every undecided item of mine matching a filter, with one justification' })
  decideMany(@Param('id') id: string, @Body() body: unknown, @Context() context: RequestContext): Promise<{ decided: number; skippedOwnAccess: number }> {
    return this.reviews.decideMany(id, body, context);
  }

  @Post('campaigns/:id/delegate')
  @HttpCode(200)
  @Authorize('access-reviews:review')
  @ApiOperation({ summary: "Hand a reviewer's undecided items to another reviewer" })
  delegate(@Param('id') id: string, @Body() body: unknown, @Context() context: RequestContext): Promise<{ delegated: number }> {
    return this.reviews.delegate(id, body, context);
  }

  @Get('campaigns/:id/export')
  @Authorize('access-reviews:export')
  @ApiOperation({ summary: 'The evidence pack (format=csv|json), streamed; its SHA-256 is recorded in the audit log' })
  async export(@Param('id') id: string, @Query() query: unknown, @Context() context: RequestContext, @Res() response: Response): Promise<void> {
    await this.evidence.export(id, query, context, {
      start: (contentType, filename) => {
        response.status(200).setHeader('Content-Type', contentType);
        response.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
      },
      write: (chunk) => new Promise<void>((resolve) => (response.write(chunk) ? resolve() : response.once('drain', () => resolve()))),
      end: () => response.end(),
    });
  }

  @Get('campaigns/:id/exports')
  @Authorize('access-reviews:read')
  @ApiOperation({ summary: "The digests the audit log recorded for the campaign's evidence packs" })
  exports(@Param('id') id: string): Promise<RecordedExport[]> {
    return this.evidence.recorded(id);
  }

  @Get('queue')
  @Authorize('access-reviews:review')
  @ApiOperation({ summary: 'The items assigned to me (list dialect; filter campaignId, undecided, riskFlag, …)' })
  async queue(@Query() query: RawListQuery, @Context() context: RequestContext, @Res({ passthrough: true }) response: Response): Promise<AccessReviewItemRecord[]> {
    const { records, skip, total } = await this.reviews.queue(query, context);
    response.setHeader('Content-Range', contentRange('queue', skip, records.length, total));
    return records;
  }

  @Post('items/:id/decision')
  @HttpCode(200)
  @Authorize('access-reviews:review')
  @ApiOperation({ summary: 'Certify, revoke or narrow (keep a subset of scopes) one item, with a justification' })
  decide(@Param('id') id: string, @Body() body: unknown, @Context() context: RequestContext): Promise<AccessReviewItemRecord> {
    return this.reviews.decide(id, body, context);
  }

  @Post('items/:id/reassign')
  @HttpCode(200)
  @Authorize('access-reviews:review')
  @ApiOperation({ summary: 'Give one item to another reviewer' })
  reassign(@Param('id') id: string, @Body() body: unknown, @Context() context: RequestContext): Promise<AccessReviewItemRecord> {
    return this.reviews.reassign(id, body, context);
  }
}
