/**
 * "Fire kill switch": pick the scope and what it names, then the firing dialog takes the reason and
 * expiry, shows the blast radius and fires. The form itself saves nothing.
 */
import FireIcon from '@mui/icons-material/PowerSettingsNew';
import { Alert, Card, CardContent, Stack, Typography } from '@mui/material';
import { killSwitchScopes, twoPersonKillSwitchScopes } from '@crossgate/domain';
import { useState } from 'react';
import { type FieldValues, useWatch } from 'react-hook-form';
import { Form, RadioButtonGroupInput, required, SaveButton, Title, Toolbar, useTranslate } from 'react-admin';

import { ReferenceSelect } from '../common/inputs.tsx';
import { FireKillSwitchDialog } from './FireKillSwitchDialog.tsx';
import { type KillSwitchTarget, scopeLabels, scopeTargets, targetOf, targetReferences } from './types.ts';

const scopeChoices = killSwitchScopes.map((scope) => ({ id: scope, name: scopeLabels[scope] }));

/** The inputs for the ids the chosen scope names. */
function TargetInputs() {
  const translate = useTranslate();
  const scope = useWatch<KillSwitchTarget, 'scope'>({ name: 'scope' });
  if (scope === undefined) {
    return null;
  }
  return (
    <>
      {scopeTargets[scope].map((field) => (
        <ReferenceSelect key={field} source={field} reference={targetReferences[field]} validate={required()} />
      ))}
      {twoPersonKillSwitchScopes.includes(scope) && <Alert severity="info">{translate('crossgate.killSwitches.fire.twoPerson')}</Alert>}
      {scope === 'everything' && <Alert severity="error">{translate('crossgate.killSwitches.create.everything')}</Alert>}
    </>
  );
}

export function KillSwitchCreate() {
  const translate = useTranslate();
  const [target, setTarget] = useState<KillSwitchTarget | null>(null);
  return (
    <Card sx={{ mt: 2, maxWidth: 760 }}>
      <Title title={translate('crossgate.killSwitches.create.title')} />
      <Form defaultValues={{ scope: 'client' }} onSubmit={(values: FieldValues) => setTarget(targetOf(values as KillSwitchTarget))}>
        <CardContent>
          <Stack sx={{ gap: 1 }}>
            <Typography variant="h6" component="h2">
              {translate('crossgate.killSwitches.create.title')}
            </Typography>
            <Typography variant="body2" color="text.secondary">
              {translate('crossgate.killSwitches.create.help')}
            </Typography>
            <RadioButtonGroupInput source="scope" choices={scopeChoices} validate={required()} row={false} />
            <TargetInputs />
          </Stack>
        </CardContent>
        <Toolbar>
          <SaveButton label={translate('crossgate.killSwitches.create.next')} icon={<FireIcon />} color="error" alwaysEnable />
        </Toolbar>
      </Form>
      <FireKillSwitchDialog target={target} onClose={() => setTarget(null)} />
    </Card>
  );
}
