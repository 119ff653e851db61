/**
 * A draft campaign: its scope (everything, or one resource, client, group or connection pattern), a
 * due date, who reviews (the resource's or the client's owner, or named reviewers in turn), the
 * fallback reviewer for items nobody else may decide, what happens to undecided items at close, and
 * whether a revoke is applied at once. Reviewers are chosen among active admins whose role may review.
 */
import { AutocompleteArrayInput, AutocompleteInput, BooleanInput, FormDataConsumer, required, SelectInput, TextInput, useGetList, useTranslate } from 'react-admin';

import { connectionPatterns } from '@crossgate/domain';

import { choicesOf } from '../common/choices.ts';
import { InstantInput, ReferenceSelect } from '../common/inputs.tsx';
import { RecordCreate } from '../common/views.tsx';
import { reviewerRules, type ScopeKind, scopeKinds } from './types.ts';

/** Roles whose grants include `access-reviews:review`. */
const reviewingRoles = ['it-admin', 'compliance-reviewer'];

interface CampaignForm {
  name: string;
  description?: string;
  scopeKind: ScopeKind;
  scopeValue?: string;
  dueAt: string;
  reviewerRule: string;
  reviewers?: string[];
  fallbackReviewer: string;
  undecidedOutcome: string;
  remediateImmediately: boolean;
}

/** The form's flat scope fields as the API's tagged scope object. */
function toRequest(form: CampaignForm): Record<string, unknown> {
  const { scopeKind, scopeValue, description, reviewers, ...rest } = form;
  const scope = scopeKind === 'all' ? { kind: 'all' } : scopeKind === 'pattern' ? { kind: 'pattern', pattern: scopeValue } : { kind: scopeKind, [`${scopeKind}Id`]: scopeValue };
  return { ...rest, scope, reviewers: reviewers ?? [], ...(description ? { description } : {}) };
}

function useReviewerChoices() {
  const { data } = useGetList<{ id: string; email: string; displayName: string }>('admin-users', {
    pagination: { page: 1, perPage: 200 },
    sort: { field: 'email', order: 'ASC' },
    filter: { status: 'active', role: reviewingRoles },
  });
  return (data ?? []).map((admin) => ({ id: admin.email, name: `${admin.displayName} <${admin.email}>` }));
}

function ScopeValueInput({ kind }: { kind: ScopeKind }) {
  const translate = useTranslate();
  switch (kind) {
    case 'all':
      return null;
    case 'resource':
      return <ReferenceSelect source="scopeValue" reference="resources" label={translate('crossgate.accessReviews.scope.resource')} validate={required()} />;
    case 'client':
      return <ReferenceSelect source="scopeValue" reference="clients" label={translate('crossgate.accessReviews.scope.client')} validate={required()} />;
    case 'group':
      return <ReferenceSelect source="scopeValue" reference="groups" label={translate('crossgate.accessReviews.scope.group')} validate={required()} />;
    case 'pattern':
      return <SelectInput source="scopeValue" label={translate('crossgate.accessReviews.scope.pattern')} choices={choicesOf(connectionPatterns)} validate={required()} />;
    default: {
      const unreachable: never = kind;
      return unreachable;
    }
  }
}

export function CampaignCreate() {
  const translate = useTranslate();
  const reviewers = useReviewerChoices();
  return (
    <RecordCreate transform={(data) => toRequest(data as CampaignForm)}>
      <TextInput source="name" validate={required()} />
      <TextInput source="description" multiline />
      <SelectInput source="scopeKind" choices={scopeKinds.map((kind) => ({ id: kind, name: translate(`crossgate.accessReviews.scope.${kind}`) }))} defaultValue="all" validate={required()} />
      <FormDataConsumer<CampaignForm>>{({ formData }) => <ScopeValueInput kind={formData.scopeKind ?? 'all'} />}</FormDataConsumer>
      <InstantInput source="dueAt" validate={required()} />
      <SelectInput source="reviewerRule" choices={reviewerRules.map((rule) => ({ id: rule, name: translate(`crossgate.accessReviews.reviewerRule.${rule}`) }))} defaultValue="resource_owner" validate={required()} />
      <FormDataConsumer<CampaignForm>>
        {({ formData }) =>
          formData.reviewerRule === 'named' && <AutocompleteArrayInput source="reviewers" choices={reviewers} validate={required()} helperText={translate('crossgate.accessReviews.create.reviewersHelp')} />
        }
      </FormDataConsumer>
      <AutocompleteInput source="fallbackReviewer" choices={reviewers} validate={required()} helperText={translate('crossgate.accessReviews.create.fallbackHelp')} />
      <SelectInput source="undecidedOutcome" choices={[{ id: 'keep', name: translate('crossgate.accessReviews.outcome.keep') }, { id: 'revoke', name: translate('crossgate.accessReviews.outcome.revoke') }]} defaultValue="keep" validate={required()} />
      <BooleanInput source="remediateImmediately" helperText={translate('crossgate.accessReviews.create.remediateHelp')} />
    </RecordCreate>
  );
}
