/**
 * "What if?": decide a request as the token endpoint would, picking the user or groups, client,
 * resource and scopes by name. On a policy's page the app pair is the policy's and the policy counts
 * as if published (so a draft shows who would gain or lose access before it goes live); on its own
 * page any pair can be asked about under the live policies.
 */
import { Alert, Box, Button, Card, CardContent, List, ListItem, ListItemText, Stack, Typography } from '@mui/material';
import { Fragment, useState } from 'react';
import { Form, HttpError, ReferenceField, TextInput, Title, useRecordContext } from 'react-admin';
import { useWatch } from 'react-hook-form';

import { ReferenceMultiSelect, ReferenceSelect } from '../common/inputs.tsx';
import { httpClient } from '../http.ts';
import { ScopesInput } from './ScopesInput.tsx';

interface TraceStep {
  check: string;
  passed: boolean;
  outcome: string;
  policyId?: string;
}

interface ImpactEntry {
  user: { id: string; email: string | null; displayName: string | null };
  before: string[];
  after: string[];
}

interface Simulation {
  decision: { allowed: boolean; code: string; grantedScopes: string[]; narrowed: boolean };
  explanation: string;
  trace: TraceStep[];
  current?: { allowed: boolean; code: string; grantedScopes: string[] };
  impact?: { gained: ImpactEntry[]; lost: ImpactEntry[]; changed: ImpactEntry[]; totals: Record<string, number>; truncated: boolean };
}

interface WhatIfValues {
  clientId?: string;
  resourceId?: string;
  userId?: string | null;
  groupIds?: string[];
  scopes?: string[];
  acr?: string;
  amr?: string;
}

const uuidPattern = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/i;
const words = (value: string | undefined) => (value ?? '').split(/[\s,]+/).filter(Boolean);

/** A trace sentence with the group ids it mentions shown by name, each a link. */
function Outcome({ text }: { text: string }) {
  return (
    <>
      {text.split(uuidPattern).map((part, index) =>
        uuidPattern.test(part) ? (
          <ReferenceField key={index} record={{ id: part, groupId: part }} source="groupId" reference="groups" link="show" />
        ) : (
          <Fragment key={index}>{part}</Fragment>
        ),
      )}
    </>
  );
}

function ImpactList({ title, entries, total }: { title: string; entries: ImpactEntry[]; total: number }) {
  return (
    <Box>
      <Typography variant="subtitle2">
        {title}: {total}
      </Typography>
      <List dense>
        {entries.map((entry) => (
          <ListItem key={entry.user.id}>
            <ListItemText
              primary={<ReferenceField record={{ id: entry.user.id, userId: entry.user.id }} source="userId" reference="users" link="show" />}
              secondary={`${entry.before.join(' ') || '—'} → ${entry.after.join(' ') || '—'}`}
            />
          </ListItem>
        ))}
      </List>
    </Box>
  );
}

function SimulationResult({ result }: { result: Simulation }) {
  return (
    <Stack sx={{ gap: 1 }}>
      <Alert severity={result.decision.allowed ? 'success' : 'warning'} role="status">
        {result.explanation}
        {result.current && ` Under the live policies today: ${result.current.allowed ? `allowed (${result.current.grantedScopes.join(' ')})` : `refused (${result.current.code})`}.`}
      </Alert>
      <Typography variant="subtitle2">How it was decided</Typography>
      <List dense>
        {result.trace.map((step, index) => (
          <ListItem key={index}>
            <ListItemText
              primary={`${step.passed ? '✓' : '✗'} ${step.check.replace('_', ' ')}`}
              secondary={
                <>
                  <Outcome text={step.outcome} />
                  {step.policyId && step.policyId !== 'draft-policy' && (
                    <>
                      {' — '}
                      <ReferenceField record={{ id: step.policyId, policyId: step.policyId }} source="policyId" reference="policies" link="show" />
                    </>
                  )}
                </>
              }
            />
          </ListItem>
        ))}
      </List>
      {result.impact && (
        <Stack direction="row" sx={{ gap: 4 }}>
          <ImpactList title="Would gain access" entries={result.impact.gained} total={result.impact.totals['gained'] ?? 0} />
          <ImpactList title="Would lose access" entries={result.impact.lost} total={result.impact.totals['lost'] ?? 0} />
          <ImpactList title="Scopes would change" entries={result.impact.changed} total={result.impact.totals['changed'] ?? 0} />
        </Stack>
      )}
    </Stack>
  );
}

/** The inputs; the scope choices follow the chosen resource, and groups only count without a user. */
function WhatIfInputs({ fixedResourceId }: { fixedResourceId?: string }) {
  const userId = useWatch<WhatIfValues>({ name: 'userId' });
  const pickedResource = useWatch<WhatIfValues>({ name: 'resourceId' }) as string | undefined;
  return (
    <Stack direction="row" sx={{ columnGap: 2, flexWrap: 'wrap', alignItems: 'flex-start' }}>
      {!fixedResourceId && (
        <>
          <ReferenceSelect source="clientId" reference="clients" label="Client" helperText="The requesting app or agent" />
          <ReferenceSelect source="resourceId" reference="resources" label="Resource" helperText="The resource app or MCP server" />
        </>
      )}
      <ReferenceSelect source="userId" reference="users" label="User" helperText="Leave empty to ask for a user in the groups" />
      {!userId && <ReferenceMultiSelect source="groupIds" reference="groups" label="Groups" helperText="A made-up user in these groups" />}
      <ScopesInput resourceId={fixedResourceId ?? pickedResource} helperText="Empty asks for the policies' default set" />
      <TextInput source="acr" label="acr" helperText="From the ID token, e.g. phr" />
      <TextInput source="amr" label="amr" helperText="Space-separated, e.g. mfa pwd" />
    </Stack>
  );
}

export function WhatIfForm({ policy }: { policy?: { id: string; clientId: string; resourceId: string } }) {
  const [result, setResult] = useState<Simulation | null>(null);
  const [error, setError] = useState<string | null>(null);

  const run = async (values: WhatIfValues) => {
    setError(null);
    const clientId = policy?.clientId ?? values.clientId;
    const resourceId = policy?.resourceId ?? values.resourceId;
    if (!clientId || !resourceId) {
      setResult(null);
      setError('Choose the client and the resource.');
      return;
    }
    const amr = words(values.amr);
    const body = {
      clientId,
      resourceId,
      ...(values.userId ? { userId: values.userId } : { groupIds: values.groupIds ?? [] }),
      ...(values.scopes && values.scopes.length > 0 ? { scopes: values.scopes } : {}),
      ...(values.acr ? { acr: values.acr } : {}),
      ...(amr.length > 0 ? { amr } : {}),
      ...(policy ? { draftPolicy: { id: policy.id } } : {}),
    };
    try {
      const { json } = await httpClient('/api/policies/simulate', { method: 'POST', body: JSON.stringify(body) });
      setResult(json as Simulation);
    } catch (caught) {
      setResult(null);
      setError(caught instanceof HttpError ? caught.message : String(caught));
    }
  };

  return (
    <>
      <Form record={{}} onSubmit={(values: Record<string, unknown>) => run(values as WhatIfValues)}>
        <WhatIfInputs fixedResourceId={policy?.resourceId} />
        <Button type="submit" variant="contained" sx={{ mb: 2 }}>
          Simulate
        </Button>
      </Form>
      {error && <Alert severity="error">{error}</Alert>}
      {result && <SimulationResult result={result} />}
    </>
  );
}

/** On a policy's page: this policy's app pair, with the policy as if published. */
export function WhatIfPanel() {
  const record = useRecordContext();
  if (!record) {
    return null;
  }
  return (
    <Card variant="outlined" sx={{ mt: 2 }}>
      <CardContent>
        <Typography variant="h6" component="h2">
          What if?
        </Typography>
        <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
          Decides a request for this app pair with this policy as if published.
        </Typography>
        <WhatIfForm policy={{ id: String(record.id), clientId: String(record['clientId']), resourceId: String(record['resourceId']) }} />
      </CardContent>
    </Card>
  );
}

/** Its own page: any app pair, under the live policies. */
export function WhatIfPage() {
  return (
    <Card sx={{ mt: 2 }}>
      <Title title="What if?" />
      <CardContent>
        <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
          Would this client, acting for this user, get these scopes at this resource now? Answered as the token endpoint would, from the live policies.
        </Typography>
        <WhatIfForm />
      </CardContent>
    </Card>
  );
}
