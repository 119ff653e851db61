import { Alert, Box, Typography } from '@mui/material';
import type { ConnectionPattern } from '@crossgate/domain';
import { DateInput, FormDataConsumer, minLength, RadioButtonGroupInput, required, TextInput } from 'react-admin';

import { AppPairInputs, OwnerInput, StatusInput } from '../common/inputs.tsx';
import { RecordCreate, RecordEdit } from '../common/views.tsx';
import { patternChoices, patterns } from './patterns.tsx';

/** Only a service account has to explain itself and name its end. */
function ServiceAccountInputs() {
  return (
    <>
      <Alert severity="warning" sx={{ mb: 2 }}>
        {patterns.service_account.summary}
      </Alert>
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
      <FormDataConsumer<{ pattern?: string }>>
        {({ formData }) => formData.pattern === 'service_account' && <ServiceAccountInputs />}
      </FormDataConsumer>
      <OwnerInput />
      <StatusInput />
    </>
  );
}

export const ConnectionCreate = () => (
  <RecordCreate>
    <ConnectionInputs />
  </RecordCreate>
);

export const ConnectionEdit = () => (
  <RecordEdit>
    <ConnectionInputs />
  </RecordEdit>
);
