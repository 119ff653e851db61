/** A credential the API returns once: a warning that it will not be shown again, the value, and a copy button. */
import { Alert, Box, Button, TextField } from '@mui/material';
import { type ReactNode, useState } from 'react';

export function OneTimeSecret({ label, value, what, children }: { label: string; value: string; what: string; children?: ReactNode }) {
  const [copied, setCopied] = useState<boolean>();
  const copy = async () => {
    // The clipboard API exists only in secure contexts (https or localhost); elsewhere, select and copy by hand.
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return (
    <>
      <Alert severity="warning">Copy the {what} now: it will not be shown again. Crossgate keeps only a hash of it.</Alert>
      <TextField
        label={label}
        value={value}
        fullWidth
        onFocus={(event) => event.target.select()}
        slotProps={{ htmlInput: { readOnly: true, 'aria-label': label, style: { fontFamily: 'monospace' } } }}
      />
      {copied === false && <Alert severity="info">Could not copy automatically: select the {what} and copy it.</Alert>}
      <Box sx={{ display: 'flex', gap: 1 }}>
        <Button variant="contained" onClick={() => void copy()}>
          {copied ? 'Copied' : `Copy ${what}`}
        </Button>
        {children}
      </Box>
    </>
  );
}
