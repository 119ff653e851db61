import { resourceKinds, scopeRisks, subjectTypes } from '@crossgate/domain';

import { choicesOf } from '../common/choices.ts';

export const kindChoices = choicesOf(resourceKinds);
export const riskChoices = choicesOf(scopeRisks);

const subjectTypeLabels: Record<(typeof subjectTypes)[number], string> = {
  public: "Public (the IdP's subject)",
  pairwise: 'Pairwise per authorization server',
};
export const subjectTypeChoices = choicesOf(subjectTypes, (value) => subjectTypeLabels[value as (typeof subjectTypes)[number]]);
