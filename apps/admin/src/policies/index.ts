import PolicyIcon from '@mui/icons-material/Policy';

import { PolicyCreate, PolicyEdit } from './PolicyForm.tsx';
import { PolicyList } from './PolicyList.tsx';
import { PolicyShow } from './PolicyShow.tsx';

/** App-pair policies: which client may reach which resource, for whom, with which scopes, when. */
export default {
  list: PolicyList,
  show: PolicyShow,
  create: PolicyCreate,
  edit: PolicyEdit,
  icon: PolicyIcon,
  recordRepresentation: 'name',
};
