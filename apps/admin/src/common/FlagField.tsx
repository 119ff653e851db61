import { Chip } from '@mui/material';
import { useRecordContext, useTranslate } from 'react-admin';

interface FlagFieldProps {
  source: string;
  /** Message keys for true and for anything else. */
  yes: string;
  no: string;
  /** Read by the show layout. */
  label?: string;
}

/** A yes/no fact about a record, as the API states it (e.g. whether a secret is held, never the secret). */
export function FlagField({ source, yes, no }: FlagFieldProps) {
  const record = useRecordContext();
  const translate = useTranslate();
  if (!record) {
    return null;
  }
  const set = record[source] === true;
  return <Chip size="small" variant="outlined" color={set ? 'success' : 'default'} label={translate(set ? yes : no)} />;
}
