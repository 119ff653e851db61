import AuditIcon from '@mui/icons-material/ReceiptLong';

import { AuditList } from './AuditList.tsx';
import { AuditShow } from './AuditShow.tsx';
import type { AuditEvent } from './types.ts';

/** The tamper-evident audit log: read, verify and export; never edited. */
export default {
  list: AuditList,
  show: AuditShow,
  icon: AuditIcon,
  recordRepresentation: (event: AuditEvent) => `#${event.seq} ${event.action}`,
};
