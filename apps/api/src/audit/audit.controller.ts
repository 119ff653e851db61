import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';

import type { ChainCheck } from '@crossgate/store';

import { Authorize } from '../auth/authorize.decorator.ts';
import { AdminApiError } from '../http/admin-api.error.ts';
import { contentRange, type RawListQuery } from '../http/list-query.ts';
import { AuditService, type AuditView } from './audit.service.ts';

@ApiTags('audit')
@Controller('api/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Authorize('audit:read')
  @ApiOperation({ summary: 'List audit events (newest first by default)' })
  async list(@Query() query: RawListQuery, @Res({ passthrough: true }) response: Response): Promise<AuditView[]> {
    const { records, skip, total } = await this.audit.list(query);
    response.setHeader('Content-Range', contentRange('audit', skip, records.length, total));
    return records;
  }

  @Get('verify')
  @Authorize('audit:verify')
  @ApiOperation({ summary: 'Recompute the hash chain: intact, or the first broken sequence number' })
  verify(): Promise<ChainCheck> {
    return this.audit.verify();
  }

  @Get('export')
  @Authorize('audit:export')
  @ApiOperation({ summary: 'Download matching events as CSV or JSON lines' })
  @ApiQuery({ name: 'format', enum: ['csv', 'jsonl'], required: false })
  @ApiQuery({ name: 'filter', required: false, description: 'JSON object, as for the list' })
  async export(@Query('format') format: unknown, @Query('filter') filter: unknown, @Res() response: Response): Promise<void> {
    const chosen = format ?? 'jsonl';
    if (chosen !== 'csv' && chosen !== 'jsonl') {
      throw new AdminApiError('bad_request', 'format must be csv or jsonl');
    }
    const lines = this.audit.export(chosen, filter);
    // Pull the first line before committing to a 200, so a bad filter still gets its 400.
    const first = await lines.next();
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    response.status(200);
    response.setHeader('Content-Type', chosen === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson');
    response.setHeader('Content-Disposition', `attachment; filename="crossgate-audit-${stamp}.${chosen}"`);
    if (!first.done) {
      response.write(first.value);
    }
    for await (const line of lines) {
      if (!response.write(line)) {
        await new Promise((resolve) => response.once('drain', resolve));
      }
    }
    response.end();
  }

  @Get(':seq')
  @Authorize('audit:read')
  @ApiOperation({ summary: 'Read one audit event by sequence number' })
  get(@Param('seq') seq: string): Promise<AuditView> {
    return this.audit.get(seq);
  }
}
