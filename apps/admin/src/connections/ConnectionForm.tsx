import { Alert, Box, Typography } from '@mui/material';
import type { ConnectionPattern } from '@crossgate/domain';
import { DateInput, FormDataConsumer, minLength, minValue, NumberInput, RadioButtonGroupInput, required, TextInput } from 'react-admin';

import { AppPairInputs, OwnerInput, StatusInput } from '../common/inputs.tsx';
import { RecordEdit } from '../common/views.tsx';
import { patternChoices, patterns, vaultedPatterns } from './patterns.tsx';
import { ProviderInput } from './ProviderInput.tsx';

/** Only a service account has to explain itself and name its end. */
function ServiceAccountInputs() {
  return (
    <>
      <Alert severity="error" sx={{ mb: 2 }}>
        {patterns.service_account.summary}
      </Alert>
      <TextInput source="accountName" validate={required()} />
      <TextInput
        source="justification"
        multiline
        minRows={2}
        validate={[required(), minLength(20)]}
        helperText="Why no better pattern works yet"
      />
      <DateInput source="sunsetAt" validate={required()} helperText="When this service account must be gone" />
    </>
  );
}

/** The schedule of a vaulted credential; its secrets are set from the wizard or their own endpoints. */
function RotationScheduleInputs() {
  return (
    <>
      <NumberInput source="rotationIntervalSeconds" validate={minValue(60)} helperText="Empty with no cron: rotate only on demand" />
      <TextInput source="rotationCron" helperText="Instead of an interval, for example 0 3 * * 1" />
      <NumberInput source="rotationOverlapSeconds" validate={minValue(0)} />
      <TextInput source="rotationHookUrl" />
      <TextInput source="rotationVerifyUrl" />
    </>
  );
}

function PatternOption({ id }: { id: ConnectionPattern }) {
  return (
    <Box sx={{ py: 0.5 }}>
      <Typography variant="body2" sx={{ fontWeight: 500 }}>
        {patterns[id].label}
      </Typography>
      <Typography variant="caption" color="text.secondary">
        {patterns[id].summary}
      </Typography>
    </Box>
  );
}

function ConnectionInputs() {
  return (
    <>
      <TextInput source="name" validate={required()} />
      <TextInput source="description" multiline />
      <AppPairInputs />
      <RadioButtonGroupInput
        source="pattern"
        choices={patternChoices}
        validate={required()}
        row={false}
        optionText={(choice: { id: ConnectionPattern }) => <PatternOption id={choice.id} />}
        helperText="Best first: move connections up this ladder"
      />
      <FormDataConsumer<{ pattern?: ConnectionPattern }>>
        {({ formData }) => (
          <>
            {formData.pattern === 'sts' && <ProviderInput />}
            {formData.pattern === 'service_account' && <ServiceAccountInputs />}
            {formData.pattern && vaultedPatterns.includes(formData.pattern) && <RotationScheduleInputs />}
          </>
        )}
      </FormDataConsumer>
      <OwnerInput />
      <StatusInput />
    </>
  );
}

export const ConnectionEdit = () => (
  <RecordEdit>
    <ConnectionInputs />
  </RecordEdit>
);
