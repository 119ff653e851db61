import RasTrustedIssuerIcon from '@mui/icons-material/Token';

import { RasTrustedIssuerCreate, RasTrustedIssuerEdit } from './RasTrustedIssuerForm.tsx';
import { RasTrustedIssuerList } from './RasTrustedIssuerList.tsx';
import { RasTrustedIssuerShow } from './RasTrustedIssuerShow.tsx';

/** Other IdPs whose ID-JAGs a protected resource's authorization server redeems (never published). */
export default {
  list: RasTrustedIssuerList,
  show: RasTrustedIssuerShow,
  create: RasTrustedIssuerCreate,
  edit: RasTrustedIssuerEdit,
  icon: RasTrustedIssuerIcon,
  recordRepresentation: 'issuer',
};
