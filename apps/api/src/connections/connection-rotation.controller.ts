import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';

import { Authorize, Context, type RequestContext } from '../auth/index.ts';
import { ConnectionRotationService, type RotationView } from './connection-rotation.service.ts';

@ApiTags('connections')
@Controller('api/connections')
export class ConnectionRotationController {
  constructor(private readonly rotation: ConnectionRotationService) {}

  @Put(':id/rotation-hook-credential')
  @Authorize('connections:write')
  @ApiOperation({ summary: "Set the credential Crossgate presents to the connection's rotation hook (write-only, vaulted)" })
  @ApiBody({ schema: { type: 'object', required: ['value'], properties: { value: { type: 'string', writeOnly: true } } } })
  setHookCredential(@Param('id') id: string, @Body() body: unknown, @Context() context: RequestContext): Promise<{ connectionId: string; keyVersion: number }> {
    return this.rotation.setHookCredential(id, body, context);
  }

  @Post(':id/rotate')
  @HttpCode(202)
  @Authorize('connections:write')
  @ApiOperation({ summary: "Rotate the connection's credential now (the worker runs it); follow it with GET :id/rotation" })
  rotate(@Param('id') id: string, @Context() context: RequestContext): Promise<{ jobId: string }> {
    return this.rotation.rotate(id, context);
  }

  @Get(':id/rotation')
  @Authorize('connections:read')
  @ApiOperation({ summary: 'Where the rotation of the connection stands: status, step, progress (0–100), error, dates' })
  state(@Param('id') id: string): Promise<RotationView> {
    return this.rotation.state(id);
  }
}
