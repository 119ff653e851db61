/** An audit event as GET /api/audit returns it; the sequence number (a string) is the id. */
export interface AuditEvent {
  id: string;
  seq: string;
  at: string;
  actorType: string;
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

/** GET /api/audit/verify: the hash chain recomputed from the first event. */
export type ChainCheck =
  | { intact: true; checked: number; lastSeq: string | null; headHash: string }
  | { intact: false; checked: number; firstBrokenSeq: string; problem: string };
