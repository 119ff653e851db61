/** High-risk tool calls at the MCP gateway that wait for an it-admin's or incident responder's decision. */
import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';

import { Authorize, Context, type RequestContext } from '../auth/index.ts';
import { contentRange, type RawListQuery } from '../http/index.ts';
import { type ToolCallApprovalView, ToolCallApprovalsService } from './tool-call-approvals.service.ts';

@ApiTags('approvals')
@Controller('api/tool-call-approvals')
export class ToolCallApprovalsController {
  constructor(private readonly approvals: ToolCallApprovalsService) {}

  @Get()
  @Authorize('tool-call-approvals:read')
  @ApiOperation({ summary: 'Tool calls at the MCP gateway that need (or got) an approval (list dialect; filter status, resourceId, userId)' })
  async list(@Query() query: RawListQuery, @Res({ passthrough: true }) response: Response): Promise<ToolCallApprovalView[]> {
    const { views, skip, total } = await this.approvals.list(query);
    response.setHeader('Content-Range', contentRange('tool-call-approvals', skip, views.length, total));
    return views;
  }

  @Get(':id')
  @Authorize('tool-call-approvals:read')
  @ApiOperation({ summary: 'One tool call approval: the call by tool and argument digest, never its arguments' })
  find(@Param('id') id: string): Promise<ToolCallApprovalView> {
    return this.approvals.find(id);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @Authorize('tool-call-approvals:write')
  @ApiOperation({ summary: 'Let a waiting tool call go to the upstream MCP server (optionally with a reason)' })
  approve(@Param('id') id: string, @Body() body: unknown, @Context() context: RequestContext): Promise<ToolCallApprovalView> {
    return this.approvals.approve(id, body, context);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @Authorize('tool-call-approvals:write')
  @ApiOperation({ summary: 'Refuse a waiting tool call with a reason, which the agent is told' })
  reject(@Param('id') id: string, @Body() body: unknown, @Context() context: RequestContext): Promise<ToolCallApprovalView> {
    return this.approvals.reject(id, body, context);
  }
}
