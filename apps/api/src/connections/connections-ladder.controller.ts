import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';

import { Authorize } from '../auth/index.ts';
import { type ConnectionLadder, ConnectionsLadderService } from './connections-ladder.service.ts';

@ApiTags('connections')
@Controller('api/connections-ladder')
export class ConnectionsLadderController {
  constructor(private readonly ladder: ConnectionsLadderService) {}

  /** A plain JSON object, not a react-admin list: counts, not records. */
  @Get()
  @Authorize('connections:read')
  @ApiOperation({ summary: 'The estate by pattern, weakest first (service account → vaulted key → STS → XAA): counts and active counts' })
  get(): Promise<ConnectionLadder> {
    return this.ladder.ladder();
  }
}
