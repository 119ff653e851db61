import TrustedIdpIcon from '@mui/icons-material/VerifiedUser';

import { TrustedIdpCreate, TrustedIdpEdit } from './TrustedIdpForm.tsx';
import { TrustedIdpList } from './TrustedIdpList.tsx';
import { TrustedIdpShow } from './TrustedIdpShow.tsx';

/** Upstream OIDC identity providers whose ID tokens Crossgate accepts. */
export default {
  list: TrustedIdpList,
  show: TrustedIdpShow,
  create: TrustedIdpCreate,
  edit: TrustedIdpEdit,
  icon: TrustedIdpIcon,
  recordRepresentation: 'name',
};
