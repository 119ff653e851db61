/**
 * @overview The page shells every resource uses, so each folder only says which columns, fields and
 * inputs it has. Lists always name a sort the API accepts (the default `id` is not sortable), and
 * edits are pessimistic so the API's per-field 422 answers land on the inputs.
 */
import ContentCopyIcon from '@mui/icons-material/ContentCopy';
import { Button, Card, CardContent, Stack, Typography } from '@mui/material';
import { type ReactElement, type ReactNode, useState } from 'react';
import {
  Create,
  DataTable,
  Edit,
  Labeled,
  List,
  ReferenceField,
  ReferenceManyField,
  SearchInput,
  Show,
  type ShowProps,
  SimpleForm,
  SimpleShowLayout,
  type SortPayload,
  type TransformData,
  useRecordContext,
} from 'react-admin';

import { RelativeDateField } from './RelativeDateField.tsx';

/** The free-text filter every searchable list offers. */
export const searchFilter = <SearchInput key="q" source="q" alwaysOn />;

interface RecordListProps {
  /** A field the resource lists as sortable. */
  sort: SortPayload;
  filters?: ReactElement[];
  actions?: ReactElement;
  children: ReactNode;
}

export function RecordList({ sort, filters, actions, children }: RecordListProps) {
  return (
    // The CSV exporter pages past the API's 500-row limit, and the audit log has its own export.
    <List sort={sort} filters={filters} actions={actions} exporter={false} perPage={25}>
      <DataTable rowClick="show" bulkActionButtons={false}>
        {children}
      </DataTable>
    </List>
  );
}

/** The record's id is for scripts and support, not for reading: copied on demand, never shown bare. */
function CopyIdButton({ id }: { id: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(id);
      setCopied(true);
    } catch {
      // Outside a secure context there is no clipboard; the id stays in the address bar.
    }
  };
  return (
    <Button size="small" variant="outlined" startIcon={<ContentCopyIcon />} onClick={() => void copy()} title={id} sx={{ alignSelf: 'flex-start' }}>
      {copied ? 'ID copied' : 'Copy ID'}
    </Button>
  );
}

/** Copy the id, and the timestamps, beside every record. */
function RecordMeta() {
  const record = useRecordContext();
  if (!record) {
    return null;
  }
  return (
    <Card sx={{ ml: 2, width: 280, flexShrink: 0, alignSelf: 'flex-start' }}>
      <CardContent>
        <Stack spacing={1}>
          <CopyIdButton id={String(record.id)} />
          {'createdAt' in record && (
            <Labeled label="Created">
              <RelativeDateField source="createdAt" />
            </Labeled>
          )}
          {'updatedAt' in record && (
            <Labeled label="Updated">
              <RelativeDateField source="updatedAt" />
            </Labeled>
          )}
        </Stack>
      </CardContent>
    </Card>
  );
}

interface RecordShowProps {
  actions?: ReactElement | false;
  /** For a record that changes while shown, e.g. a `refetchInterval`. */
  queryOptions?: ShowProps['queryOptions'];
  children: ReactNode;
}

export function RecordShow({ actions, queryOptions, children }: RecordShowProps) {
  return (
    <Show aside={<RecordMeta />} actions={actions} queryOptions={queryOptions}>
      <SimpleShowLayout>{children}</SimpleShowLayout>
    </Show>
  );
}

interface RecordFormProps {
  /** Shapes the form values into what the API accepts (drop empty optional groups, …). */
  transform?: TransformData;
  children: ReactNode;
}

export function RecordCreate({ transform, children }: RecordFormProps) {
  return (
    <Create redirect="show" transform={transform}>
      <SimpleForm>{children}</SimpleForm>
    </Create>
  );
}

export function RecordEdit({ transform, children }: RecordFormProps) {
  return (
    <Edit mutationMode="pessimistic" redirect="show" transform={transform}>
      <SimpleForm>{children}</SimpleForm>
    </Edit>
  );
}

interface RelatedRecordsProps {
  /** Read by the show layout around it. */
  label?: string;
  /** The related resource, and its field holding the shown record's id. */
  reference: string;
  target: string;
  sort: SortPayload;
  children: ReactNode;
}

/** Records of another resource that point at the shown one, as a table inside a show view. */
export function RelatedRecords({ reference, target, sort, children }: RelatedRecordsProps) {
  return (
    <ReferenceManyField reference={reference} target={target} sort={sort} perPage={25}>
      <DataTable rowClick="show" bulkActionButtons={false} empty={<Typography variant="body2">None</Typography>}>
        {children}
      </DataTable>
    </ReferenceManyField>
  );
}

/** A referenced record by its representation. Not sortable: the API sorts by its own fields only. */
export function ReferenceColumn({ source, reference, emptyText }: { source: string; reference: string; emptyText?: string }) {
  return (
    <DataTable.Col source={source} disableSort>
      <ReferenceField source={source} reference={reference} link={false} emptyText={emptyText} />
    </DataTable.Col>
  );
}

const otherSide = {
  clientId: { source: 'resourceId', reference: 'resources' },
  resourceId: { source: 'clientId', reference: 'clients' },
} as const;

interface AppPairRecordsProps {
  /** Read by the show layout around it. */
  label: string;
  reference: 'policies' | 'connections';
  /** The side of the pair the shown record is. */
  side: keyof typeof otherSide;
  /** Columns after the name and the other side. */
  children: ReactNode;
}

/** The policies or connections a client or resource is part of, each naming the other side. */
export function AppPairRecords({ reference, side, children }: AppPairRecordsProps) {
  const other = otherSide[side];
  return (
    <RelatedRecords reference={reference} target={side} sort={{ field: 'name', order: 'ASC' }}>
      <DataTable.Col source="name" />
      <ReferenceColumn source={other.source} reference={other.reference} />
      {children}
    </RelatedRecords>
  );
}
