import GroupMappingIcon from '@mui/icons-material/AltRoute';

import { GroupMappingCreate, GroupMappingEdit } from './GroupMappingForm.tsx';
import { GroupMappingList } from './GroupMappingList.tsx';
import { GroupMappingShow } from './GroupMappingShow.tsx';

/** IdP groups mapped to Crossgate groups and admin roles. */
export default {
  list: GroupMappingList,
  show: GroupMappingShow,
  create: GroupMappingCreate,
  edit: GroupMappingEdit,
  icon: GroupMappingIcon,
  recordRepresentation: 'externalGroup',
};
