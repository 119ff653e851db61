import AdminUserIcon from '@mui/icons-material/AdminPanelSettings';

import { AdminUserCreate, AdminUserEdit } from './AdminUserForm.tsx';
import { AdminUserList } from './AdminUserList.tsx';
import { AdminUserShow } from './AdminUserShow.tsx';

/** Crossgate's own administrators and their roles. */
export default {
  list: AdminUserList,
  show: AdminUserShow,
  create: AdminUserCreate,
  edit: AdminUserEdit,
  icon: AdminUserIcon,
  recordRepresentation: 'email',
};
