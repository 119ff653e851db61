/**
 * "What can this agent do, for whom, where, with which scopes?": GET /api/effective-access by client,
 * resource or user, as a table.
 */
import { Alert, Card, CardContent, MenuItem, Stack, Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography } from '@mui/material';
import { useState } from 'react';
import { AutocompleteInput, Form, HttpError, ReferenceInput, Title } from 'react-admin';

import { httpClient } from '../http.ts';

type By = 'clientId' | 'resourceId' | 'userId';

interface Row {
  client: { id: string; name: string | null };
  resource: { id: string; name: string | null; slug: string | null };
  effect: string;
  code?: string;
  subjects: 'everyone' | { groups: { id: string; name: string | null }[]; users: { id: string; email: string | null; displayName: string | null }[] };
  scopes: string[];
  policyIds: string[];
  conditions: string[];
}

/** The resource to pick from, and a sort its list accepts (the default `id` is not sortable). */
const references: Record<By, { reference: string; sort: { field: string; order: 'ASC' } }> = {
  clientId: { reference: 'clients', sort: { field: 'name', order: 'ASC' } },
  resourceId: { reference: 'resources', sort: { field: 'name', order: 'ASC' } },
  userId: { reference: 'users', sort: { field: 'email', order: 'ASC' } },
};

function subjectsOf(row: Row): string {
  if (row.subjects === 'everyone') {
    return 'Everyone';
  }
  return [...row.subjects.groups.map((group) => group.name ?? group.id), ...row.subjects.users.map((user) => user.displayName ?? user.email ?? user.id)].join(', ');
}

export function EffectiveAccessPage() {
  const [by, setBy] = useState<By>('clientId');
  const [rows, setRows] = useState<Row[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = async (id: unknown) => {
    if (typeof id !== 'string' || id === '') {
      setRows(null);
      return;
    }
    try {
      const { json } = await httpClient(`/api/effective-access?${by}=${encodeURIComponent(id)}`);
      setRows((json as { rows: Row[] }).rows);
      setError(null);
    } catch (caught) {
      setRows(null);
      setError(caught instanceof HttpError ? caught.message : String(caught));
    }
  };

  return (
    <Card sx={{ mt: 2 }}>
      <Title title="Effective access" />
      <CardContent>
        <Typography variant="body2" color="text.secondary">
          Who can reach what, with which scopes, under the policies active now.
        </Typography>
        <Stack direction="row" sx={{ gap: 2, my: 2, alignItems: 'center' }}>
          <TextField select size="small" label="By" value={by} onChange={(event) => setBy(event.target.value as By)}>
            <MenuItem value="clientId">Client</MenuItem>
            <MenuItem value="resourceId">Resource</MenuItem>
            <MenuItem value="userId">User</MenuItem>
          </TextField>
          <Form key={by}>
            <ReferenceInput source="id" {...references[by]}>
              <AutocompleteInput label="Which" onChange={(value: unknown) => void load(value)} sx={{ minWidth: 320 }} />
            </ReferenceInput>
          </Form>
        </Stack>
        {error && <Alert severity="error">{error}</Alert>}
        {rows && (
          <Table size="small">
            <TableHead>
              <TableRow>
                <TableCell>Client</TableCell>
                <TableCell>Resource</TableCell>
                <TableCell>Who</TableCell>
                <TableCell>Effect</TableCell>
                <TableCell>Scopes</TableCell>
                <TableCell>Conditions</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {rows.map((row) => (
                <TableRow key={`${row.client.id}/${row.resource.id}/${row.policyIds.join(',')}`}>
                  <TableCell>{row.client.name ?? row.client.id}</TableCell>
                  <TableCell>{row.resource.name ?? row.resource.id}</TableCell>
                  <TableCell>{subjectsOf(row)}</TableCell>
                  <TableCell>{row.code ?? row.effect}</TableCell>
                  <TableCell>{row.scopes.join(' ') || '—'}</TableCell>
                  <TableCell>{row.conditions.join('; ') || '—'}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </CardContent>
    </Card>
  );
}
