/**
 * @overview A campaign's evidence pack: every item with its evidence, decision, reviewer,
 * justification and timestamps, as CSV or JSON, streamed a page at a time. The SHA-256 of the exact
 * bytes sent is recorded in the hash-chained audit log (`campaign.exported`), so `crossgate campaign
 * verify <file>` can show later that a file is the one exported, unchanged.
 */
import { createHash } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import { z } from 'zod';

import { type AccessReviewItemRecord, AccessReviewRepository } from '@crossgate/store';

import { csvCell } from '../audit/audit.service.ts';
import type { RequestContext } from '../auth/authorize.decorator.ts';
import { AdminApiError } from '../http/admin-api.error.ts';
import { Clock } from '../platform/platform.module.ts';
import { AccessReviewsService } from './access-reviews.service.ts';

const formatSchema = z.strictObject({ format: z.enum(['csv', 'json']).default('json') });
const pageSize = 5_000;

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

interface Evidence {
  client?: { name?: string | null; clientId?: string | null };
  resource?: { slug?: string | null };
  subject?: { label?: string | null };
  policy?: { approvedBy?: string | null; approvedAt?: string | null };
  lastUsedAt?: string | null;
  tokensIssued?: number;
  scopesUsed?: string[];
  lastCertification?: { decision?: string; decidedAt?: string } | null;
}

export const exportColumns = [
  'campaign_id', 'item_id', 'client_id', 'client_name', 'resource_id', 'resource_slug', 'pattern', 'subject_type', 'subject_id', 'subject_label',
  'scopes_granted', 'scopes_used', 'last_used_at', 'tokens_issued', 'policy_id', 'policy_approved_by', 'policy_approved_at',
  'last_certification_decision', 'last_certification_at', 'risk_flags', 'reviewer', 'decision', 'kept_scopes', 'justification',
  'decided_by', 'decided_at', 'close_outcome', 'remediated_at', 'evidence',
] as const;

function csvRow(item: AccessReviewItemRecord): string {
  const evidence = (item.evidence ?? {}) as Evidence;
  const cells = [
    item.campaignId, item.id, item.clientId, evidence.client?.name, item.resourceId, evidence.resource?.slug, item.pattern, item.subjectType, item.subjectId, evidence.subject?.label,
    item.scopes.join(' '), (evidence.scopesUsed ?? []).join(' '), evidence.lastUsedAt, evidence.tokensIssued, item.policyId, evidence.policy?.approvedBy, evidence.policy?.approvedAt,
    evidence.lastCertification?.decision, evidence.lastCertification?.decidedAt, item.riskFlags.join(' '), item.reviewer, item.decision, item.keptScopes.join(' '), item.justification,
    item.decidedBy, item.decidedAt, item.closeOutcome, item.remediatedAt, item.evidence,
  ];
  return `${cells.map(csvCell).join(',')}\r\n`;
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
    await write(format === 'csv' ? `${exportColumns.join(',')}\r\n` : `{"campaign":${JSON.stringify(campaign)},"items":[`);
    let count = 0;
    for (let after: string | null = null; ; ) {
      const page = await this.repository.exportPage(id, after, pageSize);
      if (page.length > 0) {
        const text = format === 'csv' ? page.map(csvRow).join('') : page.map((item, index) => (count + index === 0 ? '' : ',') + JSON.stringify(item)).join('');
        await write(text);
        count += page.length;
        after = page[page.length - 1]!.id;
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
