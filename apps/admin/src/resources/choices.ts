import { resourceKinds, scopeRisks } from '@crossgate/domain';

import { choicesOf } from '../common/choices.ts';

export const kindChoices = choicesOf(resourceKinds);
export const riskChoices = choicesOf(scopeRisks);
