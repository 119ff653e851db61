import { AutocompleteArrayInput, useGetOne } from 'react-admin';

interface CatalogueScope {
  name: string;
  description?: string;
  risk: string;
}

/** Scopes come from the chosen resource's catalogue, so a policy cannot name one it does not have. */
export function ScopesInput({ resourceId, helperText }: { resourceId: string | undefined; helperText?: string }) {
  const { data: resource } = useGetOne<{ id: string; scopes: CatalogueScope[] }>(
    'resources',
    { id: resourceId ?? '' },
    { enabled: Boolean(resourceId) },
  );
  const choices = (resource?.scopes ?? []).map((scope) => ({
    id: scope.name,
    name: `${scope.name} (${scope.risk} risk)${scope.description ? ` — ${scope.description}` : ''}`,
  }));
  return (
    <AutocompleteArrayInput
      source="scopes"
      choices={choices}
      helperText={resource ? (helperText ?? 'Granted scope is this ∩ what the client asks ∩ its ceiling') : 'Choose the resource first'}
    />
  );
}
