/** Inputs several resources share: status, owner, instants, and references to other resources. */
import { recordStatuses } from '@crossgate/domain';
import {
  AutocompleteArrayInput,
  AutocompleteInput,
  DateTimeInput,
  type DateTimeInputProps,
  email,
  type InputProps,
  ReferenceArrayInput,
  ReferenceInput,
  required,
  SelectInput,
  type SortPayload,
  TextInput,
} from 'react-admin';

import { choicesOf } from './choices.ts';

/** A status select that starts at the API's default (the first value). */
export function StatusInput({ values = recordStatuses }: { values?: readonly string[] }) {
  return <SelectInput source="status" choices={choicesOf(values)} defaultValue={values[0]} validate={required()} />;
}

/** The status filter of a list. */
export function statusFilter(values: readonly string[] = recordStatuses) {
  return <SelectInput key="status" source="status" choices={choicesOf(values)} />;
}

export function OwnerInput() {
  return (
    <TextInput
      source="owner"
      type="email"
      validate={[required(), email()]}
      helperText="The person or team mailbox that answers for it"
    />
  );
}

/**
 * A date and time sent as an ISO instant. The browser's picker gives local time without a zone,
 * which the API would otherwise read in the server's zone.
 */
export function InstantInput(props: DateTimeInputProps) {
  return <DateTimeInput parse={(value: string) => (value ? new Date(value).toISOString() : null)} {...props} />;
}

/**
 * Sort for reference look-ups: react-admin's default (`id`) is not a sortable field in the API.
 * Options are labelled with each resource's recordRepresentation and searched with `q`.
 */
const referenceSort = {
  'trusted-idps': { field: 'name', order: 'ASC' },
  clients: { field: 'name', order: 'ASC' },
  resources: { field: 'name', order: 'ASC' },
  connections: { field: 'name', order: 'ASC' },
  'oauth-providers': { field: 'name', order: 'ASC' },
  groups: { field: 'name', order: 'ASC' },
  users: { field: 'email', order: 'ASC' },
  'admin-users': { field: 'email', order: 'ASC' },
} satisfies Record<string, SortPayload>;

type ReferenceProps = Pick<InputProps, 'source' | 'label' | 'helperText' | 'validate' | 'alwaysOn'> & {
  reference: keyof typeof referenceSort;
};

// `alwaysOn` is for the list's filter form, which reads it from the element; the input ignores it.

export function ReferenceSelect({ source, reference, alwaysOn: _filterFlag, ...input }: ReferenceProps) {
  return (
    <ReferenceInput source={source} reference={reference} sort={referenceSort[reference]}>
      <AutocompleteInput {...input} />
    </ReferenceInput>
  );
}

export function ReferenceMultiSelect({ source, reference, alwaysOn: _filterFlag, ...input }: ReferenceProps) {
  return (
    <ReferenceArrayInput source={source} reference={reference} sort={referenceSort[reference]}>
      <AutocompleteArrayInput {...input} />
    </ReferenceArrayInput>
  );
}

/** The two ends of an app pair: the requesting app or agent, and the resource it reaches. */
export function AppPairInputs() {
  return (
    <>
      <ReferenceSelect source="clientId" reference="clients" validate={required()} helperText="The requesting app or agent" />
      <ReferenceSelect source="resourceId" reference="resources" validate={required()} helperText="The resource app or MCP server" />
    </>
  );
}
