/**
 * The kill switch on the page of what it can stop (a user, a client, a resource, a connection, a
 * trusted IdP): it opens the firing dialog with the scope and target filled in. Shown only to roles
 * that may fire one; the API enforces that regardless.
 */
import FireIcon from '@mui/icons-material/PowerSettingsNew';
import { type ReactNode, useState } from 'react';
import { Button, EditButton, TopToolbar, useCanAccess, useRecordContext, useTranslate } from 'react-admin';

import { FireKillSwitchDialog } from './FireKillSwitchDialog.tsx';
import type { KillSwitchTarget, TargetField } from './types.ts';

/** The scopes that name one record, and the id each sends. */
const recordScopes = {
  user: 'userId',
  client: 'clientId',
  resource: 'resourceId',
  connection: 'connectionId',
  idp: 'idpId',
} as const satisfies Record<string, TargetField>;

type RecordScope = keyof typeof recordScopes;

export function KillSwitchButton({ scope }: { scope: RecordScope }) {
  const record = useRecordContext();
  const translate = useTranslate();
  const { canAccess } = useCanAccess({ resource: 'kill-switches', action: 'create' });
  const [target, setTarget] = useState<KillSwitchTarget | null>(null);
  if (!record || !canAccess) {
    return null;
  }
  return (
    <>
      <Button label={translate('crossgate.killSwitches.button')} color="error" onClick={() => setTarget({ scope, [recordScopes[scope]]: String(record.id) })}>
        <FireIcon />
      </Button>
      <FireKillSwitchDialog target={target} onClose={() => setTarget(null)} />
    </>
  );
}

/** A show page's toolbar with the kill switch beside Edit. */
/** A record page's toolbar: `children` (the record's own actions), the kill switch, Edit. */
export function KillSwitchShowActions({ scope, children }: { scope: RecordScope; children?: ReactNode }) {
  return (
    <TopToolbar>
      {children}
      <KillSwitchButton scope={scope} />
      <EditButton />
    </TopToolbar>
  );
}
