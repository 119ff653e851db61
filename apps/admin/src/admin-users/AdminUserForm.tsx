import { email, minLength, PasswordInput, required, SelectInput, TextInput } from 'react-admin';

import { StatusInput } from '../common/inputs.tsx';
import { RecordCreate, RecordEdit } from '../common/views.tsx';
import { roleChoices } from './choices.ts';

/** An untouched or cleared password field means "keep the current one" (or none: SSO only). */
function withoutEmptyPassword<T extends { password?: string | null }>({ password, ...admin }: T) {
  return password ? { ...admin, password } : admin;
}

function AdminUserInputs({ passwordHelp }: { passwordHelp: string }) {
  return (
    <>
      <TextInput source="email" type="email" validate={[required(), email()]} />
      <TextInput source="displayName" validate={required()} />
      <SelectInput source="role" choices={roleChoices} validate={required()} />
      <StatusInput />
      <PasswordInput source="password" validate={minLength(12)} autoComplete="new-password" helperText={passwordHelp} />
    </>
  );
}

export const AdminUserCreate = () => (
  <RecordCreate transform={withoutEmptyPassword}>
    <AdminUserInputs passwordHelp="At least 12 characters; leave empty for an admin who signs in only through SSO" />
  </RecordCreate>
);

export const AdminUserEdit = () => (
  <RecordEdit transform={withoutEmptyPassword}>
    <AdminUserInputs passwordHelp="Leave empty to keep the current password" />
  </RecordEdit>
);
