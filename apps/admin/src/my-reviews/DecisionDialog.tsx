/**
 * The decision on one or more review items, always with a justification (the evidence pack carries
 * it): certify keeps the access, revoke removes it, narrow keeps only the scopes ticked (at least one,
 * and fewer than granted: keeping all is a certify).
 */
import { Checkbox, FormControl, FormControlLabel, FormGroup, FormHelperText, FormLabel } from '@mui/material';
import { useState } from 'react';
import { useTranslate } from 'react-admin';

import type { Decision } from '../access-reviews/types.ts';
import { ReasonDialog } from '../common/ReasonDialog.tsx';

const colours = { certify: 'success', revoke: 'error', narrow: 'primary' } as const;

interface DecisionDialogProps {
  decision: Decision | null;
  /** What is decided, in words: one item's title, or "3 items". */
  what: string;
  /** For narrow: the scopes the item grants. */
  scopes?: readonly string[];
  onDecide: (decision: Decision, justification: string, keptScopes: string[]) => Promise<void>;
  onClose: () => void;
}

export function DecisionDialog({ decision, what, scopes = [], onDecide, onClose }: DecisionDialogProps) {
  const translate = useTranslate();
  const [kept, setKept] = useState<string[]>([]);
  const shown = decision ?? 'certify';
  const key = (name: string) => `crossgate.accessReviews.decide.${shown}.${name}`;
  const narrowing = shown === 'narrow';
  const close = () => {
    setKept([]);
    onClose();
  };
  const toggle = (scope: string, on: boolean) => setKept((current) => (on ? [...current, scope] : current.filter((entry) => entry !== scope)));
  return (
    <ReasonDialog
      open={decision !== null}
      id={`decide-${shown}`}
      title={translate(key('title'))}
      text={translate(key('text'), { what })}
      reason="required"
      reasonLabel={translate('crossgate.accessReviews.decide.justification')}
      submitLabel={translate(key('button'))}
      color={colours[shown]}
      complete={!narrowing || (kept.length > 0 && kept.length < scopes.length)}
      onSubmit={async (justification) => {
        await onDecide(shown, justification, kept);
        setKept([]);
      }}
      onClose={close}
    >
      {narrowing && (
        <FormControl component="fieldset">
          <FormLabel component="legend">{translate('crossgate.accessReviews.decide.narrow.keep')}</FormLabel>
          <FormGroup>
            {scopes.map((scope) => (
              <FormControlLabel key={scope} control={<Checkbox checked={kept.includes(scope)} onChange={(event) => toggle(scope, event.target.checked)} />} label={scope} />
            ))}
          </FormGroup>
          <FormHelperText>{translate('crossgate.accessReviews.decide.narrow.help')}</FormHelperText>
        </FormControl>
      )}
    </ReasonDialog>
  );
}
