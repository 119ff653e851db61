/**
 * @overview The sign-in page: a button per IdP admins sign in through (the company SSO), and the
 * local password form while the deployment keeps it (break-glass). An SSO sign-in the API refused
 * comes back here with why, in `sso_error`.
 */
import { Alert, Button, Divider, Stack } from '@mui/material';
import { useEffect, useState } from 'react';
import { Login, LoginForm } from 'react-admin';

interface SignInOptions {
  password: boolean;
  idps: { id: string; name: string }[];
}

export function LoginPage() {
  const [options, setOptions] = useState<SignInOptions | undefined>();
  const refusal = new URLSearchParams(window.location.search).get('sso_error');
  useEffect(() => {
    fetch('/api/auth/sso', { headers: { accept: 'application/json' } })
      .then((response) => (response.ok ? (response.json() as Promise<SignInOptions>) : { password: true, idps: [] }))
      .then(setOptions, () => setOptions({ password: true, idps: [] }));
  }, []);
  return (
    <Login>
      <Stack spacing={2} sx={{ px: 2, pb: 2 }}>
        {refusal === null ? null : (
          <Alert severity="error" role="alert">
            {refusal}
          </Alert>
        )}
        {options?.idps.map((idp) => (
          <Button key={idp.id} variant="contained" href={`/api/auth/sso/${encodeURIComponent(idp.id)}/start`}>
            Sign in with {idp.name}
          </Button>
        ))}
        {options !== undefined && options.idps.length > 0 && options.password ? <Divider>or, break-glass</Divider> : null}
      </Stack>
      {options === undefined || options.password ? <LoginForm /> : null}
    </Login>
  );
}
