/**
 * @overview The connection wizard: what the resource supports decides which patterns are possible,
 * and the strongest of them is recommended (XAA first, the migration ladder read from the top). A
 * weaker choice says what it loses; a service account must also name its owner, a sunset date and a
 * written reason. For a vaulted key or service account the admin types the credential once: it goes
 * to `PUT /api/connections/:id/credential` after the record exists, and no page shows it again.
 *
 * Every step stays mounted (hidden when not current), so an error the API returns for a field of an
 * earlier step lands on its input, and the wizard goes back to that step.
 */
import { Alert, Box, Button, Chip, Stack, Step, StepLabel, Stepper, Typography } from '@mui/material';
import { connectionPatterns, type ConnectionPattern } from '@crossgate/domain';
import { type KeyboardEvent, type ReactNode, useEffect, useState } from 'react';
import { type FieldValues, useFormContext, useWatch } from 'react-hook-form';
import {
  CheckboxGroupInput,
  Create,
  DateInput,
  Form,
  HttpError,
  minValue,
  NumberInput,
  PasswordInput,
  RadioButtonGroupInput,
  required,
  TextInput,
  useDataProvider,
  useGetOne,
  useNotify,
  useRedirect,
  useTranslate,
} from 'react-admin';

import { AppPairInputs, InstantInput, OwnerInput, StatusInput } from '../common/inputs.tsx';
import { httpClient } from '../http.ts';
import { isPattern, PatternChip, patterns, vaultedPatterns } from './patterns.tsx';
import { ProviderInput } from './ProviderInput.tsx';

type StepName = 'supports' | 'pattern' | 'details' | 'credential' | 'review';

/** The inputs of each step, validated before moving on and used to find the step of an API error. */
const stepFields: Record<StepName, string[]> = {
  supports: ['clientId', 'resourceId', 'supports'],
  pattern: ['pattern'],
  details: ['name', 'description', 'owner', 'status', 'oauthProviderId', 'accountName', 'justification', 'sunsetAt'],
  credential: [
    'credential',
    'credentialExpiresAt',
    'rotationMode',
    'rotationIntervalHours',
    'rotationCron',
    'rotationOverlapMinutes',
    'rotationHookUrl',
    'rotationVerifyUrl',
    'hookCredential',
    'rotationIntervalSeconds',
    'rotationOverlapSeconds',
  ],
  review: [],
};

interface WizardValues {
  clientId?: string;
  resourceId?: string;
  supports?: ConnectionPattern[];
  pattern?: ConnectionPattern;
  name?: string;
  description?: string | null;
  owner?: string;
  status?: string;
  oauthProviderId?: string;
  accountName?: string | null;
  justification?: string | null;
  sunsetAt?: string | null;
  credential?: string | null;
  credentialExpiresAt?: string | null;
  rotationMode?: 'none' | 'interval' | 'cron';
  rotationIntervalHours?: number | null;
  rotationCron?: string | null;
  rotationOverlapMinutes?: number | null;
  rotationHookUrl?: string | null;
  rotationVerifyUrl?: string | null;
  hookCredential?: string | null;
}

/** Every value of the wizard, re-rendering on change. */
function useWizardValues(): WizardValues {
  return useWatch<WizardValues>();
}

function stepsFor(pattern: ConnectionPattern | undefined): StepName[] {
  const vaulted = pattern !== undefined && vaultedPatterns.includes(pattern);
  return vaulted ? ['supports', 'pattern', 'details', 'credential', 'review'] : ['supports', 'pattern', 'details', 'review'];
}

/** The strongest pattern the resource supports: the patterns are listed best first. */
export function recommendedPattern(supports: readonly string[] = []): ConnectionPattern | undefined {
  return connectionPatterns.find((pattern) => supports.includes(pattern));
}

/** The connection record as the API takes it: the wizard's own fields dropped, units converted. */
function connectionOf(values: WizardValues): Record<string, unknown> {
  const vaulted = values.pattern !== undefined && vaultedPatterns.includes(values.pattern);
  const serviceAccount = values.pattern === 'service_account';
  const record: Record<string, unknown> = {
    name: values.name,
    description: values.description ?? null,
    clientId: values.clientId,
    resourceId: values.resourceId,
    pattern: values.pattern,
    owner: values.owner,
    status: values.status,
  };
  if (values.pattern === 'sts') {
    record['oauthProviderId'] = values.oauthProviderId;
  }
  if (serviceAccount) {
    Object.assign(record, { accountName: values.accountName, justification: values.justification, sunsetAt: values.sunsetAt });
  }
  if (vaulted) {
    Object.assign(record, {
      rotationIntervalSeconds: values.rotationMode === 'interval' && values.rotationIntervalHours ? values.rotationIntervalHours * 3600 : null,
      rotationCron: values.rotationMode === 'cron' ? values.rotationCron : null,
      rotationOverlapSeconds: (values.rotationOverlapMinutes ?? 60) * 60,
      rotationHookUrl: values.rotationHookUrl ?? null,
      rotationVerifyUrl: values.rotationVerifyUrl ?? null,
    });
  }
  return record;
}

function StepPanel({ active, children }: { active: boolean; children: ReactNode }) {
  return <Box sx={{ display: active ? 'block' : 'none', maxWidth: 760 }}>{children}</Box>;
}

function SupportsStep() {
  const { resourceId, supports = [] } = useWizardValues();
  const { setValue } = useFormContext<WizardValues>();
  const { data: resource } = useGetOne<{ id: string; rasEnabled?: boolean }>('resources', { id: resourceId ?? '' }, { enabled: Boolean(resourceId) });
  const behindCrossgate = resource?.rasEnabled === true;
  useEffect(() => {
    // A resource behind Crossgate's resource-side authorization server redeems ID-JAGs by construction.
    if (behindCrossgate && !supports.includes('xaa')) {
      setValue('supports', ['xaa', ...supports], { shouldDirty: true });
    }
    // Only when the picked resource changes (not on every tick): unticking XAA afterwards is the admin's call.
  }, [behindCrossgate, resource?.id]);
  return (
    <>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
        Which agent reaches which resource, and what the resource can do. Tick everything it supports: the strongest pattern wins.
      </Typography>
      <AppPairInputs />
      {behindCrossgate && (
        <Alert severity="success" sx={{ mb: 2 }}>
          This resource is protected by Crossgate&apos;s resource-side authorization server, so it accepts ID-JAGs: XAA is possible.
        </Alert>
      )}
      <CheckboxGroupInput
        source="supports"
        row={false}
        choices={connectionPatterns.map((pattern) => ({ id: pattern, name: patterns[pattern].needs }))}
        validate={required('Tick at least one: a username and password is the last resort')}
      />
    </>
  );
}

function PatternOption({ pattern, recommended, supported }: { pattern: ConnectionPattern; recommended: boolean; supported: boolean }) {
  const translate = useTranslate();
  return (
    <Box sx={{ py: 0.5 }}>
      <Stack direction="row" sx={{ gap: 1, alignItems: 'center' }}>
        <PatternChip pattern={pattern} />
        {recommended && <Chip size="small" color="success" label={translate('crossgate.connections.wizard.recommended')} />}
        {!supported && (
          <Typography variant="caption" color="text.secondary">
            {translate('crossgate.connections.wizard.unsupported')}
          </Typography>
        )}
      </Stack>
      <Typography variant="caption" color="text.secondary" component="div">
        {patterns[pattern].summary}
      </Typography>
    </Box>
  );
}

/** Why the chosen pattern is worse than the recommended one, rung by rung. */
function WeakerChoice({ chosen, recommended }: { chosen: ConnectionPattern; recommended: ConnectionPattern }) {
  const skipped = connectionPatterns.slice(connectionPatterns.indexOf(recommended) + 1, connectionPatterns.indexOf(chosen) + 1);
  if (skipped.length === 0) {
    return null;
  }
  return (
    <Alert severity={chosen === 'service_account' ? 'error' : 'warning'} sx={{ mb: 2 }}>
      <Typography variant="body2" sx={{ fontWeight: 500, mb: 0.5 }}>
        {patterns[recommended].label} is possible here; {patterns[chosen].label} is weaker:
      </Typography>
      {skipped.map((pattern) => (
        <Typography key={pattern} variant="body2">
          {patterns[pattern].label}: {patterns[pattern].weaker}
        </Typography>
      ))}
    </Alert>
  );
}

function PatternStep() {
  const { supports = [], pattern } = useWizardValues();
  const recommended = recommendedPattern(supports);
  return (
    <>
      {recommended && (
        <Alert severity={recommended === 'xaa' ? 'success' : 'info'} sx={{ mb: 2 }}>
          Recommended: {patterns[recommended].label}. {patterns[recommended].summary}
        </Alert>
      )}
      <RadioButtonGroupInput
        source="pattern"
        row={false}
        validate={required()}
        choices={connectionPatterns.map((id) => ({ id, name: patterns[id].label, disabled: !supports.includes(id) }))}
        optionText={(choice: { id: ConnectionPattern }) => (
          <PatternOption pattern={choice.id} recommended={choice.id === recommended} supported={supports.includes(choice.id)} />
        )}
        helperText="Best first: only the patterns the resource supports can be picked"
      />
      {isPattern(pattern) && recommended && <WeakerChoice chosen={pattern} recommended={recommended} />}
    </>
  );
}

function ServiceAccountInputs() {
  return (
    <>
      <Alert severity="error" sx={{ mb: 2 }}>
        {patterns.service_account.summary} It is marked as the weakest pattern everywhere it shows.
      </Alert>
      <TextInput source="accountName" validate={required()} helperText="The login at the resource; the password comes in the next step" />
      {/* The length rule is the API's (20 characters or more), so its message shows here as it stands. */}
      <TextInput
        source="justification"
        multiline
        minRows={2}
        validate={required()}
        helperText="Why no better pattern works yet (20 characters or more)"
      />
      <DateInput source="sunsetAt" validate={required()} helperText="When this service account must be gone" />
    </>
  );
}

function DetailsStep() {
  const { pattern } = useWizardValues();
  return (
    <>
      <TextInput source="name" validate={required()} />
      <TextInput source="description" multiline />
      <OwnerInput />
      <StatusInput />
      {pattern === 'sts' && <ProviderInput />}
      {pattern === 'service_account' && <ServiceAccountInputs />}
    </>
  );
}

function CredentialStep() {
  const { pattern, rotationMode } = useWizardValues();
  return (
    <>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
        The {pattern === 'service_account' ? 'password' : 'API key'} is sent once to the vault, encrypted there, and never shown again. Leave it empty to
        set it later.
      </Typography>
      <PasswordInput source="credential" autoComplete="new-password" />
      <InstantInput source="credentialExpiresAt" helperText="Optional: when the target stops accepting it" />
      <RadioButtonGroupInput
        source="rotationMode"
        choices={[
          { id: 'none', name: 'No schedule' },
          { id: 'interval', name: 'Every few hours' },
          { id: 'cron', name: 'Cron expression' },
        ]}
      />
      {rotationMode === 'interval' && <NumberInput source="rotationIntervalHours" validate={[required(), minValue(1)]} />}
      {rotationMode === 'cron' && <TextInput source="rotationCron" validate={required()} helperText="For example 0 3 * * 1 (Mondays at 03:00)" />}
      {rotationMode !== 'none' && (
        <>
          <NumberInput source="rotationOverlapMinutes" validate={minValue(0)} helperText="After a new version is verified, the old one keeps working this long" />
          <TextInput source="rotationHookUrl" helperText="Told the new credential at each rotation" />
          <TextInput source="rotationVerifyUrl" helperText="Called with the new credential to prove it works" />
          <PasswordInput source="hookCredential" autoComplete="new-password" helperText="What Crossgate presents to the hook; vaulted, never shown again" />
        </>
      )}
    </>
  );
}

function ProviderName({ id }: { id: string | undefined }) {
  const { data } = useGetOne<{ id: string; name: string }>('oauth-providers', { id: id ?? '' }, { enabled: Boolean(id) });
  return <>{data?.name ?? id}</>;
}

function ReviewStep() {
  const values = useWizardValues();
  const translate = useTranslate();
  const rows: [string, ReactNode][] = [
    [translate('resources.connections.fields.name'), values.name],
    [translate('resources.connections.fields.pattern'), isPattern(values.pattern) ? <PatternChip pattern={values.pattern} /> : null],
    [translate('resources.connections.fields.owner'), values.owner],
  ];
  if (values.pattern === 'sts') {
    rows.push([translate('resources.connections.fields.oauthProviderId'), <ProviderName key="provider" id={values.oauthProviderId} />]);
  }
  if (values.pattern === 'service_account') {
    rows.push([translate('resources.connections.fields.accountName'), values.accountName], [translate('resources.connections.fields.sunsetAt'), values.sunsetAt]);
  }
  if (isPattern(values.pattern) && vaultedPatterns.includes(values.pattern)) {
    rows.push(
      [translate('resources.connections.fields.credential'), values.credential ? 'Entered: stored in the vault on create' : 'Not set yet'],
      [translate('resources.connections.fields.rotationMode'), values.rotationMode === 'interval' ? `Every ${values.rotationIntervalHours ?? '?'} h` : values.rotationMode === 'cron' ? values.rotationCron : 'None'],
    );
  }
  return (
    <Box component="dl" sx={{ display: 'grid', gridTemplateColumns: 'max-content 1fr', gap: 1, m: 0 }}>
      {rows.map(([label, value]) => (
        <Box key={label} sx={{ display: 'contents' }}>
          <Typography component="dt" variant="body2" color="text.secondary">
            {label}
          </Typography>
          <Typography component="dd" variant="body2" sx={{ m: 0 }}>
            {value ?? '—'}
          </Typography>
        </Box>
      ))}
    </Box>
  );
}

interface WizardBodyProps {
  step: number;
  setStep: (step: number) => void;
  problem: string | null;
  submitting: boolean;
}

function WizardBody({ step, setStep, problem, submitting }: WizardBodyProps) {
  const translate = useTranslate();
  const { trigger, setValue, getValues } = useFormContext<WizardValues>();
  const { pattern } = useWizardValues();
  const steps = stepsFor(pattern);
  const current = steps[Math.min(step, steps.length - 1)]!;

  const next = async () => {
    if (!(await trigger(stepFields[current] as (keyof WizardValues)[]))) {
      return;
    }
    if (current === 'supports') {
      // Land on the pattern step with the strongest supported pattern picked.
      const { supports = [], pattern: picked } = getValues();
      if (!picked || !supports.includes(picked)) {
        setValue('pattern', recommendedPattern(supports));
      }
    }
    setStep(step + 1);
  };

  // Enter in a text input moves on instead of submitting the whole wizard from an early step.
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Enter' && event.target instanceof HTMLInputElement && current !== 'review') {
      event.preventDefault();
      void next();
    }
  };

  return (
    <Box sx={{ p: 2 }} onKeyDown={onKeyDown}>
      <Stepper activeStep={step} sx={{ mb: 3 }}>
        {steps.map((name) => (
          <Step key={name}>
            <StepLabel>{translate(`crossgate.connections.wizard.step.${name}`)}</StepLabel>
          </Step>
        ))}
      </Stepper>
      {problem && (
        <Alert severity="error" sx={{ mb: 2 }}>
          {problem}
        </Alert>
      )}
      <StepPanel active={current === 'supports'}>
        <SupportsStep />
      </StepPanel>
      <StepPanel active={current === 'pattern'}>
        <PatternStep />
      </StepPanel>
      <StepPanel active={current === 'details'}>
        <DetailsStep />
      </StepPanel>
      {steps.includes('credential') && (
        <StepPanel active={current === 'credential'}>
          <CredentialStep />
        </StepPanel>
      )}
      <StepPanel active={current === 'review'}>
        <ReviewStep />
      </StepPanel>
      <Stack direction="row" sx={{ gap: 1, mt: 3 }}>
        <Button disabled={step === 0} onClick={() => setStep(step - 1)}>
          {translate('crossgate.connections.wizard.back')}
        </Button>
        {/* Distinct keys: reusing one <button> and switching its type to submit mid-click would submit the form. */}
        {current === 'review' ? (
          <Button key="create" type="submit" variant="contained" disabled={submitting}>
            {translate('crossgate.connections.wizard.create')}
          </Button>
        ) : (
          <Button key="next" variant="contained" onClick={() => void next()}>
            {translate('crossgate.connections.wizard.next')}
          </Button>
        )}
      </Stack>
    </Box>
  );
}

interface ValidationBody {
  message?: string;
  errors?: Record<string, unknown>;
}

/** Stores a secret of the new connection; the answer is what went wrong, or null. */
async function putSecret(path: string, body: Record<string, unknown>): Promise<string | null> {
  try {
    await httpClient(path, { method: 'PUT', body: JSON.stringify(body) });
    return null;
  } catch (caught) {
    return caught instanceof HttpError ? caught.message : String(caught);
  }
}

export function ConnectionWizard() {
  const translate = useTranslate();
  const dataProvider = useDataProvider();
  const notify = useNotify();
  const redirect = useRedirect();
  const [step, setStep] = useState(0);
  const [problem, setProblem] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);

  const submit = async (values: WizardValues) => {
    setSubmitting(true);
    setProblem(null);
    let id: string;
    try {
      ({ id } = (await dataProvider.create('connections', { data: connectionOf(values) })).data as { id: string });
    } catch (caught) {
      setSubmitting(false);
      const body = (caught instanceof HttpError ? caught.body : undefined) as ValidationBody | undefined;
      setProblem(body?.message ?? (caught instanceof Error ? caught.message : String(caught)));
      const { root: _shownAbove, ...fieldErrors } = body?.errors ?? {};
      const steps = stepsFor(values.pattern);
      const first = steps.findIndex((name) => stepFields[name].some((field) => field in fieldErrors));
      if (first >= 0) {
        setStep(first);
      }
      // react-admin puts these on their inputs.
      return fieldErrors;
    }
    const failures: string[] = [];
    if (values.credential) {
      const failure = await putSecret(`/api/connections/${id}/credential`, { value: values.credential, ...(values.credentialExpiresAt ? { expiresAt: values.credentialExpiresAt } : {}) });
      if (failure) {
        failures.push(`credential: ${failure}`);
      }
    }
    if (values.hookCredential && values.rotationMode !== 'none') {
      const failure = await putSecret(`/api/connections/${id}/rotation-hook-credential`, { value: values.hookCredential });
      if (failure) {
        failures.push(`rotation hook credential: ${failure}`);
      }
    }
    if (failures.length > 0) {
      notify(`Connection created, but not stored: ${failures.join('; ')}`, { type: 'warning', autoHideDuration: 10_000 });
    } else {
      notify('crossgate.connections.wizard.created', { type: 'success' });
    }
    redirect('show', 'connections', id);
    return undefined;
  };

  return (
    <Create title={translate('crossgate.connections.wizard.title')}>
      <Form
        onSubmit={(values: FieldValues) => submit(values as WizardValues)}
        defaultValues={{ supports: [], status: 'active', rotationMode: 'none', rotationOverlapMinutes: 60 }}
        noValidate
      >
        <WizardBody step={step} setStep={setStep} problem={problem} submitting={submitting} />
      </Form>
    </Create>
  );
}
