import MembershipIcon from '@mui/icons-material/GroupAdd';

import { MembershipCreate } from './MembershipCreate.tsx';
import { MembershipList } from './MembershipList.tsx';
import { MembershipShow } from './MembershipShow.tsx';

/** Which users are in which groups. No edit view: the API has no update for memberships. */
export default {
  list: MembershipList,
  show: MembershipShow,
  create: MembershipCreate,
  icon: MembershipIcon,
};
