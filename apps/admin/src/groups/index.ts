import GroupIcon from '@mui/icons-material/Groups';

import { GroupCreate, GroupEdit } from './GroupForm.tsx';
import { GroupList } from './GroupList.tsx';
import { GroupShow } from './GroupShow.tsx';

/** Groups as the IdPs name them; policies grant access to their members. */
export default {
  list: GroupList,
  show: GroupShow,
  create: GroupCreate,
  edit: GroupEdit,
  icon: GroupIcon,
  recordRepresentation: 'name',
};
