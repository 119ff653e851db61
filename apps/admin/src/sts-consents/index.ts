import StsConsentIcon from '@mui/icons-material/HowToReg';

import { StsConsentList } from './StsConsentList.tsx';
import { StsConsentShow } from './StsConsentShow.tsx';

/** Users' consents on STS connections: read, and revoked by an admin; never created or edited here. */
export default {
  list: StsConsentList,
  show: StsConsentShow,
  icon: StsConsentIcon,
};
