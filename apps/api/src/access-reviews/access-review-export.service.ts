/**
 * @overview A campaign's evidence pack: every item with its evidence, decision, reviewer,
 * justification and timestamps, as CSV or JSON, streamed a page at a time. The SHA-256 of the exact
 * bytes sent is recorded in the hash-chained audit log (`campaign.exported`), so `crossgate campaign
 * verify <file>` can show later that a file is the one exported, unchanged.
 */
import { createHash } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import { z } from 'zod';

import { accessReviewCsvColumns, AccessReviewRepository } from '@crossgate/store';

import type { RequestContext } from '../auth/index.ts';
import { AdminApiError } from '../http/index.ts';
import { Clock } from '../platform/index.ts';
import { AccessReviewsService } from './access-reviews.service.ts';

const formatSchema = z.strictObject({ format: z.enum(['csv', 'json']).default('json') });
const pageSize = 10_000;

/** Where an export goes: the HTTP response, in the API. */
export interface ExportSink {
  start(contentType: string, filename: string): void;
  write(chunk: string): Promise<void>;
  end(): void;
}

/** A recorded export of a campaign: what a file's digest is checked against. */
export interface RecordedExport {
  seq: string;
  at: Date;
  format: string;
  sha256: string;
  items: number;
}

@Injectable()
export class AccessReviewExport {
  constructor(
    private readonly repository: AccessReviewRepository,
    private readonly campaigns: AccessReviewsService,
    private readonly clock: Clock,
  ) {}

  /** Streams the pack into `sink`, then records its digest. */
  async export(id: string, query: unknown, request: RequestContext, sink: ExportSink): Promise<void> {
    const parsed = formatSchema.safeParse(query ?? {});
    if (!parsed.success) {
      throw new AdminApiError('bad_request', 'format must be csv or json');
    }
    const { format } = parsed.data;
    const campaign = await this.campaigns.find(id);
    if (campaign.status === 'draft') {
      throw new AdminApiError('conflict', `Campaign ${id} is a draft: launch it before exporting its evidence`);
    }
    const digest = createHash('sha256');
    let bytes = 0;
    const write = async (chunk: string) => {
      digest.update(chunk, 'utf8');
      bytes += Buffer.byteLength(chunk, 'utf8');
      await sink.write(chunk);
    };
    sink.start(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8', `campaign-${id}.${format}`);
    await write(format === 'csv' ? `${accessReviewCsvColumns.join(',')}\r\n` : `{"campaign":${JSON.stringify(campaign)},"items":[`);
    let count = 0;
    // The next page is read while this one is written.
    let next = this.repository.exportPage(id, null, pageSize, format);
    for (;;) {
      const page = await next;
      if (page.length === pageSize) {
        next = this.repository.exportPage(id, page[page.length - 1]!.id, pageSize, format);
      }
      if (page.length > 0) {
        await write(format === 'csv' ? page.map((row) => row.line).join('') : (count === 0 ? '' : ',') + page.map((row) => row.line).join(','));
        count += page.length;
      }
      if (page.length < pageSize) {
        break;
      }
    }
    if (format === 'json') {
      await write(']}\n');
    }
    const sha256 = digest.digest('hex');
    await this.repository.audit(
      { actor: request.actor, action: 'campaign.exported', target: { type: 'access-reviews', id }, decision: 'allow', requestId: request.requestId, context: { format, sha256, items: count, bytes } },
      this.clock.now(),
    );
    sink.end();
  }

  /** The digests the audit log recorded for the campaign's exports, newest first. */
  async recorded(id: string): Promise<RecordedExport[]> {
    await this.campaigns.find(id);
    const events = await this.repository.exportEvents(id);
    return events.map((event) => {
      const context = (event.context ?? {}) as { format?: string; sha256?: string; items?: number };
      return { seq: event.seq.toString(), at: event.at, format: context.format ?? '', sha256: context.sha256 ?? '', items: context.items ?? 0 };
    });
  }
}
