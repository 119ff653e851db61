/** The policy approvals inbox (two-person rule): ask for a policy to become active, then another it-admin decides. */
import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';

import { Authorize, Context, type RequestContext } from '../auth/index.ts';
import { contentRange, type RawListQuery } from '../http/index.ts';
import { type PolicyApprovalView, PolicyApprovalsService } from './policy-approvals.service.ts';

@ApiTags('approvals')
@Controller('api')
export class PolicyApprovalsController {
  constructor(private readonly approvals: PolicyApprovalsService) {}

  @Post('policies/:id/approval-requests')
  @HttpCode(201)
  @Authorize('policies:write')
  @ApiOperation({ summary: 'Ask another it-admin to make this policy active, optionally with changes; the answer carries who gains and loses access' })
  request(@Param('id') id: string, @Body() body: unknown, @Context() context: RequestContext): Promise<PolicyApprovalView> {
    return this.approvals.request(id, body, context);
  }

  @Get('approvals')
  @Authorize('approvals:read')
  @ApiOperation({ summary: 'Policy approval requests with their impact (list dialect; filter status, policyId)' })
  async list(@Query() query: RawListQuery, @Res({ passthrough: true }) response: Response): Promise<PolicyApprovalView[]> {
    const { views, skip, total } = await this.approvals.list(query);
    response.setHeader('Content-Range', contentRange('approvals', skip, views.length, total));
    return views;
  }

  @Get('approvals/:id')
  @Authorize('approvals:read')
  @ApiOperation({ summary: 'One policy approval request with its impact' })
  find(@Param('id') id: string): Promise<PolicyApprovalView> {
    return this.approvals.find(id);
  }

  @Post('approvals/:id/approve')
  @HttpCode(200)
  @Authorize('approvals:write')
  @ApiOperation({ summary: 'Approve a pending policy approval request: its changes and status active are written at once (not by the admin who asked)' })
  approve(@Param('id') id: string, @Context() context: RequestContext): Promise<PolicyApprovalView> {
    return this.approvals.approve(id, context);
  }

  @Post('approvals/:id/reject')
  @HttpCode(200)
  @Authorize('approvals:write')
  @ApiOperation({ summary: 'Reject a pending policy approval request with a reason (the admin who asked withdraws it)' })
  reject(@Param('id') id: string, @Body() body: unknown, @Context() context: RequestContext): Promise<PolicyApprovalView> {
    return this.approvals.reject(id, body, context);
  }
}
