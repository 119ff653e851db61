import ApiTokenIcon from '@mui/icons-material/Key';

import { ApiTokenCreate } from './ApiTokenCreate.tsx';
import { ApiTokenList } from './ApiTokenList.tsx';
import { ApiTokenShow } from './ApiTokenShow.tsx';

/** Bearer tokens for automation. No edit view: a token is created, used, and revoked. */
export default {
  list: ApiTokenList,
  show: ApiTokenShow,
  create: ApiTokenCreate,
  icon: ApiTokenIcon,
  recordRepresentation: 'name',
};
