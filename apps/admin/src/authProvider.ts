/**
 * @overview Sign-in with a session cookie (/api/auth/*). The profile names the admin's permissions,
 * which `canAccess` reads only to hide what the role cannot do; the API enforces them regardless.
 */
import type { AdminAction, AdminProfile } from '@crossgate/domain';
import { type AuthProvider, HttpError } from 'react-admin';

import { csrfToken, httpClient } from './http.ts';


/** react-admin's page actions, in terms of the API's permissions. */
const requiredAction: Record<string, AdminAction> = {
  list: 'read',
  show: 'read',
  create: 'write',
  edit: 'write',
  delete: 'write',
  export: 'export',
  verify: 'verify',
  /** Deciding access-review items assigned to oneself. */
  review: 'review',
};

// One request per page load instead of one per navigation; dropped on sign-in, sign-out and 401.
let profile: Promise<AdminProfile> | undefined;

function currentProfile(): Promise<AdminProfile> {
  profile ??= httpClient('/api/auth/me').then(({ json }) => json as AdminProfile);
  profile.catch(() => {
    profile = undefined;
  });
  return profile;
}

function allows(permissions: readonly string[], resource: string, action: AdminAction): boolean {
  return permissions.includes(`${resource}:${action}`) || permissions.includes(`*:${action}`);
}

export const authProvider: AuthProvider = {
  async login({ username, password }: { username: string; password: string }) {
    profile = undefined;
    const { json } = await httpClient('/api/auth/sign-in', {
      method: 'POST',
      body: JSON.stringify({ email: username, password }),
    });
    const signedIn = (json as { admin: AdminProfile }).admin;
    profile = Promise.resolve(signedIn);
  },

  async logout() {
    profile = undefined;
    // react-admin also logs out when checkAuth finds no session; then there is nothing to end.
    if (!csrfToken()) {
      return;
    }
    try {
      await httpClient('/api/auth/sign-out', { method: 'POST' });
    } catch (error) {
      // Already signed out (expired or revoked session): the login page is still the right place.
      if (!(error instanceof HttpError && error.status === 401)) {
        throw error;
      }
    }
  },

  async checkAuth() {
    await currentProfile();
  },

  async checkError(error: unknown) {
    // 401: the session is gone, so sign in again. 403 is a refused action, not a lost session.
    if (error instanceof HttpError && error.status === 401) {
      profile = undefined;
      throw error;
    }
  },

  async getIdentity() {
    const admin = await currentProfile();
    return { id: admin.id, fullName: admin.displayName, email: admin.email, role: admin.role };
  },

  async getPermissions() {
    return (await currentProfile()).permissions;
  },

  async canAccess({ action, resource }: { action: string; resource: string }) {
    const needed = requiredAction[action];
    if (!needed) {
      return false;
    }
    return allows((await currentProfile()).permissions, resource, needed);
  },
};
