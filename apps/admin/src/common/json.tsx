import { Box, TextField as MuiTextField } from '@mui/material';
import { useState } from 'react';
import {
  FieldTitle,
  type FieldProps,
  InputHelperText,
  type InputProps,
  useFieldValue,
  useInput,
  useResourceContext,
} from 'react-admin';

/** A JSON value, pretty-printed; a dash when there is none. */
export function JsonField({ source }: FieldProps & { source: string }) {
  const value: unknown = useFieldValue({ source });
  if (value === null || value === undefined) {
    return <span>—</span>;
  }
  return (
    <Box
      component="pre"
      sx={{ m: 0, p: 1, bgcolor: 'action.hover', borderRadius: 1, fontSize: 12, overflowX: 'auto', maxWidth: '100%' }}
    >
      {JSON.stringify(value, null, 2)}
    </Box>
  );
}

const notJson = Symbol('not JSON');

function parseText(text: string): unknown {
  if (text.trim() === '') {
    return null;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return notJson;
  }
}

function mustBeJsonObject(value: unknown): string | undefined {
  if (value === notJson) {
    return 'Not valid JSON';
  }
  if (value !== null && value !== undefined && (typeof value !== 'object' || Array.isArray(value))) {
    return 'Must be a JSON object';
  }
  return undefined;
}

/**
 * A JSON object typed as text. The text is kept as typed (no reformatting under the cursor); the form
 * value is the parsed object, or null when empty.
 */
export function JsonInput({ source, label, helperText }: Pick<InputProps, 'source' | 'label' | 'helperText'>) {
  const resource = useResourceContext();
  const { id, field, fieldState, isRequired } = useInput({ source, validate: mustBeJsonObject });
  const [text, setText] = useState(() => (field.value ? JSON.stringify(field.value, null, 2) : ''));
  return (
    <MuiTextField
      id={id}
      label={<FieldTitle label={label} source={source} resource={resource} isRequired={isRequired} />}
      value={text}
      onChange={(event) => {
        setText(event.target.value);
        field.onChange(parseText(event.target.value));
      }}
      onBlur={field.onBlur}
      error={fieldState.invalid}
      helperText={<InputHelperText error={fieldState.error?.message} helperText={helperText} />}
      multiline
      minRows={3}
      fullWidth
      slotProps={{ htmlInput: { spellCheck: false, style: { fontFamily: 'monospace', fontSize: 13 } } }}
    />
  );
}
