import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';

import type { AuditStreamPage, ChainCheck } from '@crossgate/store';

import { Authorize } from '../auth/index.ts';
import { AdminApiError, contentRange, fieldErrorsOf, type RawListQuery } from '../http/index.ts';
import { AuditService, type AuditView } from './audit.service.ts';

const streamQuery = z
  .object({
    after: z.string().regex(/^\d{1,18}$/, 'must be a sequence number (0 or more)').default('0'),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    wait: z.coerce.number().int().min(0).max(30).default(0),
  })
  .strict();

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

  @Get('stream')
  @Authorize('audit:read')
  @ApiOperation({
    summary: 'Read the log in commit order from a cursor: the events after `after`, and the cursor to ask with next',
    description:
      'Resumable and gap-free: appends commit in sequence order, so a client that stores `next` and asks again misses nothing. ' +
      'With `wait` (seconds, up to 30) an empty page is held open until an event commits.',
  })
  @ApiQuery({ name: 'after', required: false, description: 'Sequence number already read; 0 (the default) starts at the beginning' })
  @ApiQuery({ name: 'limit', required: false, description: '1 to 1000 events, 100 by default' })
  @ApiQuery({ name: 'wait', required: false, description: 'Seconds to hold an empty page open, 0 to 30, 0 by default' })
  stream(@Query() query: Record<string, unknown>, @Req() request: Request): Promise<AuditStreamPage> {
    const parsed = streamQuery.safeParse(query);
    if (!parsed.success) {
      const problems = Object.entries(fieldErrorsOf(parsed.error)).map(([field, message]) => `${field}: ${message}`);
      throw new AdminApiError('bad_request', `Bad stream query: ${problems.join('; ')}`);
    }
    const { after, limit, wait } = parsed.data;
    return this.audit.stream(BigInt(after), limit, wait * 1000, () => request.socket.destroyed);
  }

  @Get(':seq')
  @Authorize('audit:read')
  @ApiOperation({ summary: 'Read one audit event by sequence number' })
  get(@Param('seq') seq: string): Promise<AuditView> {
    return this.audit.get(seq);
  }
}
