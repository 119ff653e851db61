import type { AuditActorType } from './enums.ts';

/** An audit event as the admin API shows it (`GET /api/audit`): the sequence number, as text, is the id. */
export interface AuditEventView {
  id: string;
  seq: string;
  at: string;
  actorType: AuditActorType | string;
  actorId: string | null;
  actorLabel: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  decision: string | null;
  reason: string | null;
  requestId: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  context: Record<string, unknown> | null;
  prevHash: string;
  hash: string;
}

/** The hash chain recomputed from the first event (`GET /api/audit/verify`). */
export type ChainCheck =
  | { intact: true; checked: number; lastSeq: string | null; headHash: string }
  | { intact: false; checked: number; firstBrokenSeq: string; problem: string };
