/**
 * @overview The confirmation dialog every audited action uses: a title, what will happen, a reason
 * (required, optional or none), anything else the action asks for, and the API's refusal shown in
 * the dialog as the API words it, so the admin can fix the input and try again.
 */
import { Alert, Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, Stack, TextField } from '@mui/material';
import { type FormEvent, type ReactElement, type ReactNode, useState } from 'react';
import { Button as RaButton, HttpError, useTranslate } from 'react-admin';

/** The API's own words for a refused request. */
export function messageOf(caught: unknown): string {
  return caught instanceof HttpError || caught instanceof Error ? caught.message : String(caught);
}

/** What the API accepts as a reason: at least 3 characters once trimmed. */
export const minReasonLength = 3;

export interface ReasonDialogProps {
  open: boolean;
  /** Unique on the page: names the dialog by its title for assistive technology. */
  id: string;
  title: string;
  text?: ReactNode;
  reason: 'required' | 'optional' | 'none';
  reasonLabel: string;
  submitLabel: string;
  color: 'primary' | 'error' | 'success';
  /** Runs the action with the trimmed reason; a throw keeps the dialog open with the message. */
  onSubmit: (reason: string) => Promise<void>;
  onClose: () => void;
  /** Further inputs of the action, between the text and the reason. */
  children?: ReactNode;
  /** False while those inputs are not complete. */
  complete?: boolean;
}

export function ReasonDialog({ open, id, title, text, reason: reasonRule, reasonLabel, submitLabel, color, onSubmit, onClose, children, complete = true }: ReasonDialogProps) {
  const translate = useTranslate();
  const [reason, setReason] = useState('');
  const [pending, setPending] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const close = () => {
    setReason('');
    setProblem(null);
    onClose();
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setPending(true);
    setProblem(null);
    try {
      await onSubmit(reasonRule === 'none' ? '' : reason.trim());
      setReason('');
    } catch (caught) {
      setProblem(messageOf(caught));
    } finally {
      setPending(false);
    }
  };
  const titleId = `${id}-title`;
  const ready = !pending && complete && (reasonRule !== 'required' || reason.trim().length >= minReasonLength);
  return (
    <Dialog open={open} onClose={pending ? undefined : close} onClick={(event) => event.stopPropagation()} maxWidth="sm" fullWidth aria-labelledby={titleId}>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <DialogTitle id={titleId}>{title}</DialogTitle>
        <DialogContent>
          <Stack sx={{ gap: 2 }}>
            {text !== undefined && <DialogContentText component="div">{text}</DialogContentText>}
            {children}
            {reasonRule !== 'none' && (
              <TextField
                label={reasonLabel}
                value={reason}
                onChange={(event) => setReason(event.target.value)}
                required={reasonRule === 'required'}
                autoFocus
                fullWidth
                slotProps={{ htmlInput: { maxLength: 2000 } }}
              />
            )}
            {problem && (
              <Alert severity="error" role="alert">
                {problem}
              </Alert>
            )}
          </Stack>
        </DialogContent>
        <DialogActions>
          <Button onClick={close} disabled={pending}>
            {translate('ra.action.cancel')}
          </Button>
          <Button type="submit" variant="contained" color={color} disabled={!ready}>
            {submitLabel}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}

export interface ReasonDialogButtonProps extends Omit<ReasonDialogProps, 'open' | 'onClose'> {
  label: string;
  icon: ReactElement;
}

/** A button that opens its ReasonDialog; the dialog closes once `onSubmit` resolves. */
export function ReasonDialogButton({ label, icon, onSubmit, ...dialog }: ReasonDialogButtonProps) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <RaButton
        label={label}
        color={dialog.color}
        onClick={(event) => {
          // Inside a clickable table row, the row must not open too.
          event.stopPropagation();
          setOpen(true);
        }}
      >
        {icon}
      </RaButton>
      <ReasonDialog
        {...dialog}
        open={open}
        onSubmit={async (reason) => {
          await onSubmit(reason);
          setOpen(false);
        }}
        onClose={() => setOpen(false)}
      />
    </>
  );
}
