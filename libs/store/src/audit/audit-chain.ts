/**
 * @overview The audit log's tamper evidence. Each event's hash covers its canonical content (RFC 8785
 * JSON canonicalization) and the previous event's hash, so editing, deleting or reordering any event
 * breaks every hash after it.
 */
import { createHash } from 'node:crypto';

import canonicalize from 'canonicalize';

import type { AuditActorType, ChainCheck } from '@crossgate/domain';

export const genesisHash = '0'.repeat(64);

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface AuditActor {
  type: AuditActorType;
  id?: string | null;
  label?: string | null;
}

/** What a caller records. */
export interface AuditEntry {
  actor: AuditActor;
  action: string;
  target?: { type: string; id?: string | null } | null;
  decision?: 'allow' | 'deny' | null;
  reason?: string | null;
  requestId?: string | null;
  before?: unknown;
  after?: unknown;
  context?: unknown;
}

/** An event as stored: the entry's fields flattened, normalised to JSON, numbered and chained. */
export interface AuditEventRecord {
  seq: bigint;
  at: Date;
  actorType: string;
  actorId: string | null;
  actorLabel: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  decision: string | null;
  reason: string | null;
  requestId: string | null;
  before: JsonValue | null;
  after: JsonValue | null;
  context: JsonValue | null;
  prevHash: string;
  hash: string;
}

const secretKey = /(password|secret|token|hash|private|credential|apikey|api_key)/i;

/**
 * Replaces the value of every key that names a secret with "[redacted]", at any depth, and turns
 * the value into plain JSON (dates as ISO strings, bigints as strings, undefined dropped) so that what
 * is hashed is exactly what PostgreSQL's jsonb gives back.
 */
export function toAuditJson(value: unknown): JsonValue | null {
  if (value === undefined || value === null) {
    return null;
  }
  const text = JSON.stringify(value, (key, item: unknown) => {
    if (key !== '' && secretKey.test(key) && item !== null && item !== undefined) {
      return '[redacted]';
    }
    return typeof item === 'bigint' ? item.toString() : item;
  });
  return text === undefined ? null : (JSON.parse(text) as JsonValue);
}

/**
 * An event's content as JSON, in the order it is stored: every field but its own hash. The hash
 * covers exactly this, and the API and the SIEM stream send it with the hash beside it.
 */
export function auditEventContent(event: Omit<AuditEventRecord, 'hash'>) {
  return {
    seq: event.seq.toString(),
    at: event.at.toISOString(),
    actorType: event.actorType,
    actorId: event.actorId,
    actorLabel: event.actorLabel,
    action: event.action,
    targetType: event.targetType,
    targetId: event.targetId,
    decision: event.decision,
    reason: event.reason,
    requestId: event.requestId,
    before: event.before,
    after: event.after,
    context: event.context,
    prevHash: event.prevHash,
  };
}

/** The SHA-256 of the event's canonical content (RFC 8785). */
export function hashAuditEvent(event: Omit<AuditEventRecord, 'hash'>): string {
  const content = canonicalize(auditEventContent(event));
  return createHash('sha256').update(content ?? '').digest('hex');
}

export type { ChainCheck } from '@crossgate/domain';

/**
 * Walks events in sequence order and reports the first one whose number, link or hash is wrong.
 * Keeps only the previous event in memory, so it can stream millions of rows.
 */
export class AuditChainVerifier {
  private expectedSeq = 1n;
  private previousHash = genesisHash;
  private checked = 0;
  private broken: ChainCheck | undefined;

  /** Returns false once a break has been found; later events are then ignored. */
  accept(event: AuditEventRecord): boolean {
    if (this.broken) {
      return false;
    }
    const fail = (problem: string) => {
      this.broken = { intact: false, checked: this.checked, firstBrokenSeq: this.expectedSeq.toString(), problem };
      return false;
    };
    if (event.seq !== this.expectedSeq) {
      return fail(`event ${this.expectedSeq} is missing (next present is ${event.seq})`);
    }
    if (event.prevHash !== this.previousHash) {
      return fail(`event ${event.seq} does not link to the hash of event ${event.seq - 1n}`);
    }
    if (hashAuditEvent(event) !== event.hash) {
      return fail(`event ${event.seq} was altered after it was written`);
    }
    this.checked += 1;
    this.expectedSeq += 1n;
    this.previousHash = event.hash;
    return true;
  }

  result(): ChainCheck {
    return (
      this.broken ?? {
        intact: true,
        checked: this.checked,
        lastSeq: this.checked === 0 ? null : (this.expectedSeq - 1n).toString(),
        headHash: this.previousHash,
      }
    );
  }
}
