/**
 * @overview How the MCP gateway fronts a resource: the upstream MCP endpoint, the tool → scope map
 * (an editable list of pairs, sent as the `{ tool: scope }` object the API keeps), the header a
 * vaulted key goes in, and the high-risk tools whose calls wait for an admin's approval.
 */
import AddIcon from '@mui/icons-material/Add';
import DeleteIcon from '@mui/icons-material/Delete';
import { Box, Button, FormHelperText, IconButton, MenuItem, Stack, TextField as MuiTextField, Typography } from '@mui/material';
import { useState } from 'react';
import { FormDataConsumer, maxValue, minValue, NumberInput, required, SelectArrayInput, TextInput, useInput } from 'react-admin';
import { useWatch } from 'react-hook-form';

interface Pair {
  tool: string;
  scope: string;
}

const toPairs = (map: unknown): Pair[] => (map !== null && typeof map === 'object' ? Object.entries(map as Record<string, unknown>).map(([tool, scope]) => ({ tool, scope: String(scope) })) : []);
const toMap = (pairs: readonly Pair[]) => Object.fromEntries(pairs.filter((pair) => pair.tool.trim() !== '').map((pair) => [pair.tool.trim(), pair.scope]));

/** The tool → scope map as rows of a tool name and a scope of the catalogue. */
function ToolScopesInput() {
  const { field, fieldState } = useInput({ source: 'gatewayToolScopes', defaultValue: {} });
  const [pairs, setPairs] = useState<Pair[]>(() => toPairs(field.value));
  const catalogue = (useWatch({ name: 'scopes' }) as { name?: string }[] | undefined) ?? [];
  const scopes = catalogue.map((scope) => scope.name).filter((name): name is string => typeof name === 'string' && name !== '');
  const update = (next: Pair[]) => {
    setPairs(next);
    field.onChange(toMap(next));
  };
  const repeated = new Set(pairs.map((pair) => pair.tool.trim()).filter((tool, index, all) => tool !== '' && all.indexOf(tool) !== index));
  return (
    <Box sx={{ mb: 2 }}>
      <Typography variant="subtitle2" component="h3">
        Published tools (tool → scope)
      </Typography>
      {pairs.map((pair, index) => (
        <Stack key={index} direction="row" sx={{ gap: 1, alignItems: 'center', mt: 1 }}>
          <MuiTextField
            label="Tool"
            size="small"
            value={pair.tool}
            error={repeated.has(pair.tool.trim())}
            onChange={(event) => update(pairs.map((other, at) => (at === index ? { ...other, tool: event.target.value } : other)))}
            slotProps={{ htmlInput: { 'aria-label': `Tool ${index + 1}` } }}
          />
          <MuiTextField
            select
            label="Scope"
            size="small"
            value={scopes.includes(pair.scope) ? pair.scope : ''}
            onChange={(event) => update(pairs.map((other, at) => (at === index ? { ...other, scope: event.target.value } : other)))}
            sx={{ minWidth: 200 }}
            slotProps={{ htmlInput: { 'aria-label': `Scope of tool ${index + 1}` } }}
          >
            {scopes.map((scope) => (
              <MenuItem key={scope} value={scope}>
                {scope}
              </MenuItem>
            ))}
          </MuiTextField>
          <IconButton aria-label={`Remove tool ${index + 1}`} onClick={() => update(pairs.filter((_, at) => at !== index))}>
            <DeleteIcon />
          </IconButton>
        </Stack>
      ))}
      <Button startIcon={<AddIcon />} size="small" sx={{ mt: 1 }} onClick={() => update([...pairs, { tool: '', scope: scopes[0] ?? '' }])} disabled={scopes.length === 0}>
        Add a tool
      </Button>
      <FormHelperText error={fieldState.invalid || repeated.size > 0}>
        {repeated.size > 0
          ? `A tool is listed twice: ${[...repeated].join(', ')}`
          : (fieldState.error?.message ?? (scopes.length === 0 ? 'Add scopes to the catalogue first' : 'A tool not listed is neither listed nor callable through the gateway'))}
      </FormHelperText>
    </Box>
  );
}

/** An empty upstream URL is null to the API: the resource is then not gateway-fronted. */
const emptyAsNull = (value: string) => (value === '' ? null : value);

export function GatewayInputs() {
  return (
    <>
      <TextInput source="gatewayUpstreamUrl" parse={emptyAsNull} helperText="The upstream MCP endpoint; set, the MCP gateway fronts this resource at <gateway>/mcp/<slug>" />
      <FormDataConsumer<{ gatewayUpstreamUrl?: string | null; gatewayToolScopes?: Record<string, string> }>>
        {({ formData }) =>
          formData.gatewayUpstreamUrl ? (
            <>
              <ToolScopesInput />
              <TextInput source="gatewayKeyHeader" defaultValue="x-api-key" validate={required()} helperText='The header a vaulted key goes upstream in ("authorization" sends Bearer <key>)' />
              <SelectArrayInput
                source="gatewayApprovalTools"
                choices={Object.keys(formData.gatewayToolScopes ?? {}).map((tool) => ({ id: tool, name: tool }))}
                defaultValue={[]}
                helperText="High-risk tools: each call waits until an it-admin or incident responder approves it in Approvals"
              />
              <NumberInput source="gatewayApprovalTimeoutSeconds" defaultValue={120} validate={[required(), minValue(5), maxValue(900)]} helperText="How long such a call waits for a decision before it is refused (at most 15 minutes)" />
            </>
          ) : null
        }
      </FormDataConsumer>
    </>
  );
}
