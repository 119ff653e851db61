import CampaignIcon from '@mui/icons-material/FactCheck';

import { CampaignCreate } from './CampaignCreate.tsx';
import { CampaignList } from './CampaignList.tsx';
import { CampaignShow } from './CampaignShow.tsx';

/** Certification campaigns: created as drafts, launched, decided in "My reviews", closed; no edit. */
export default {
  list: CampaignList,
  show: CampaignShow,
  create: CampaignCreate,
  icon: CampaignIcon,
  recordRepresentation: 'name',
};
