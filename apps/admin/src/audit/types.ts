export type { AuditEventView as AuditEvent, ChainCheck } from '@crossgate/domain';
