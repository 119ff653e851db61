import UserIcon from '@mui/icons-material/Person';

import { UserCreate, UserEdit } from './UserForm.tsx';
import { UserList } from './UserList.tsx';
import { UserShow } from './UserShow.tsx';

/** People known from the upstream IdPs. */
export default {
  list: UserList,
  show: UserShow,
  create: UserCreate,
  edit: UserEdit,
  icon: UserIcon,
  recordRepresentation: (user: { email?: string | null; displayName?: string | null; subject: string }) =>
    user.email ?? user.displayName ?? user.subject,
};
