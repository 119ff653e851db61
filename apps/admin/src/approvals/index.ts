import ApprovalIcon from '@mui/icons-material/Approval';

import { ApprovalsPage } from './ApprovalsPage.tsx';

/** A computed view, not a stored resource: what waits for a second person, with its own menu entry. */
export default {
  path: '/approvals',
  label: 'Approvals',
  page: ApprovalsPage,
  icon: ApprovalIcon,
};
