import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';

import { Authorize, Context, type RequestContext } from '../auth/index.ts';
import { contentRange, type RawListQuery } from '../http/index.ts';
import { type BlastRadiusView, type DeliveryView, type KillSwitchView, KillSwitchesService } from './kill-switches.service.ts';

@ApiTags('kill-switches')
@Controller('api/kill-switches')
export class KillSwitchesController {
  constructor(private readonly killSwitches: KillSwitchesService) {}

  @Get()
  @Authorize('kill-switches:read')
  @ApiOperation({ summary: 'Kill switches: active, pending approval, lifted, expired, rejected (list dialect)' })
  async list(@Query() query: RawListQuery, @Res({ passthrough: true }) response: Response): Promise<KillSwitchView[]> {
    const { views, skip, total } = await this.killSwitches.list(query);
    response.setHeader('Content-Range', contentRange('kill-switches', skip, views.length, total));
    return views;
  }

  @Post('preview')
  @HttpCode(200)
  @Authorize('kill-switches:read')
  @ApiOperation({ summary: 'The blast radius of a kill switch before it is fired: live tokens, users, agents, connections and vaulted secrets, STS consents, receivers' })
  preview(@Body() body: unknown): Promise<BlastRadiusView> {
    return this.killSwitches.preview(body);
  }

  @Post()
  @Authorize('kill-switches:write')
  @ApiOperation({ summary: 'Fire a kill switch (an IdP-wide or global one waits for a second admin)' })
  fire(@Body() body: unknown, @Context() context: RequestContext): Promise<KillSwitchView> {
    return this.killSwitches.fire(body, context);
  }

  @Get(':id')
  @Authorize('kill-switches:read')
  @ApiOperation({ summary: 'A kill switch with the progress of its revocation receipt' })
  find(@Param('id') id: string): Promise<KillSwitchView> {
    return this.killSwitches.find(id);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @Authorize('kill-switches:write')
  @ApiOperation({ summary: 'Approve the pending firing or lift of an IdP-wide or global kill switch (not the admin who asked)' })
  approve(@Param('id') id: string, @Context() context: RequestContext): Promise<KillSwitchView> {
    return this.killSwitches.approve(id, context);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @Authorize('kill-switches:write')
  @ApiOperation({ summary: 'Turn down (or withdraw) the pending firing or lift of a kill switch' })
  reject(@Param('id') id: string, @Body() body: unknown, @Context() context: RequestContext): Promise<KillSwitchView> {
    return this.killSwitches.reject(id, body, context);
  }

  @Post(':id/lift')
  @HttpCode(200)
  @Authorize('kill-switches:write')
  @ApiOperation({ summary: 'Lift a kill switch, with a reason (an IdP-wide or global one waits for a second admin)' })
  lift(@Param('id') id: string, @Body() body: unknown, @Context() context: RequestContext): Promise<KillSwitchView> {
    return this.killSwitches.lift(id, body, context);
  }

  @Get(':id/deliveries')
  @Authorize('kill-switches:read')
  @ApiOperation({ summary: "The kill switch's revocation receipt: one line per downstream target (list dialect)" })
  async deliveries(@Param('id') id: string, @Query() query: RawListQuery, @Res({ passthrough: true }) response: Response): Promise<DeliveryView[]> {
    const { views, skip, total } = await this.killSwitches.deliveries(id, query);
    response.setHeader('Content-Range', contentRange('deliveries', skip, views.length, total));
    return views;
  }

  @Post(':id/redrive')
  @HttpCode(202)
  @Authorize('kill-switches:write')
  @ApiOperation({ summary: 'Queue every dead-lettered receipt line of the kill switch again' })
  redrive(@Param('id') id: string, @Context() context: RequestContext): Promise<{ redriven: number }> {
    return this.killSwitches.redrive(id, context);
  }

  @Get(':id/receipt')
  @Authorize('kill-switches:read')
  @ApiOperation({ summary: 'The whole revocation receipt as JSON, for the incident report' })
  async receipt(@Param('id') id: string, @Res() response: Response): Promise<void> {
    const receipt = await this.killSwitches.receipt(id);
    response.setHeader('Content-Disposition', `attachment; filename="kill-switch-${receipt.killSwitch.id}-receipt.json"`);
    response.json(receipt);
  }
}
