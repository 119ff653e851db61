/** The map of the admin console: one <Resource> per folder; the menu groups them by task (layout/AppMenu.tsx). */
import { Admin, AppBar, CustomRoutes, Layout, type LayoutProps, Resource, TitlePortal, useGetIdentity, UserMenu } from 'react-admin';
import { Route } from 'react-router-dom';

import accessReviews from './access-reviews/index.ts';
import adminUsers from './admin-users/index.ts';
import apiTokens from './api-tokens/index.ts';
import approvals from './approvals/index.ts';
import audit from './audit/index.ts';
import { authProvider } from './authProvider.ts';
import clientRegistrations from './client-registrations/index.ts';
import clients from './clients/index.ts';
import connections from './connections/index.ts';
import { Dashboard } from './dashboard/Dashboard.tsx';
import { LoginPage } from './layout/LoginPage.tsx';
import { dataProvider } from './dataProvider.ts';
import effectiveAccess from './effective-access/index.ts';
import vault from './vault/index.ts';
import groupMappings from './group-mappings/index.ts';
import groups from './groups/index.ts';
import { i18nProvider } from './i18nProvider.ts';
import killSwitches from './kill-switches/index.ts';
import { AppMenu } from './layout/AppMenu.tsx';
import { GlobalSearch } from './layout/GlobalSearch.tsx';
import memberships from './memberships/index.ts';
import myReviews from './my-reviews/index.ts';
import oauthProviders from './oauth-providers/index.ts';
import policies from './policies/index.ts';
import rasTrustedIssuers from './ras-trusted-issuers/index.ts';
import resources from './resources/index.ts';
import stsConsents from './sts-consents/index.ts';
import trustedIdps from './trusted-idps/index.ts';
import { theme } from './theme.ts';
import users from './users/index.ts';
import whatIf from './what-if/index.ts';

/** Named after the admin it shows: react-admin's "Profile" label hides the visible name from assistive technology. */
const AppUserMenu = () => {
  const { identity } = useGetIdentity();
  return <UserMenu label={identity?.fullName ? `Profile: ${identity.fullName}` : undefined} />;
};

const AppAppBar = () => (
  <AppBar userMenu={<AppUserMenu />}>
    <TitlePortal />
    <GlobalSearch />
  </AppBar>
);

const AppLayout = (props: LayoutProps) => <Layout {...props} menu={AppMenu} appBar={AppAppBar} />;

export const App = () => (
  <Admin
    title="Crossgate"
    dataProvider={dataProvider}
    authProvider={authProvider}
    i18nProvider={i18nProvider}
    theme={theme}
    layout={AppLayout}
    dashboard={Dashboard}
    loginPage={LoginPage}
    requireAuth
    disableTelemetry
  >
    <Resource name="kill-switches" {...killSwitches} />
    <Resource name="clients" {...clients} />
    <Resource name="resources" {...resources} />
    <Resource name="client-registrations" {...clientRegistrations} />
    <Resource name="ras-trusted-issuers" {...rasTrustedIssuers} />
    <Resource name="policies" {...policies} />
    <Resource name="connections" {...connections} />
    <Resource name="oauth-providers" {...oauthProviders} />
    <Resource name="sts-consents" {...stsConsents} />
    <Resource name="trusted-idps" {...trustedIdps} />
    <Resource name="users" {...users} />
    <Resource name="groups" {...groups} />
    <Resource name="memberships" {...memberships} />
    <Resource name="group-mappings" {...groupMappings} />
    <Resource name="admin-users" {...adminUsers} />
    <Resource name="api-tokens" {...apiTokens} />
    <Resource name="access-reviews" {...accessReviews} />
    <Resource name="audit" {...audit} />
    <CustomRoutes>
      <Route path={effectiveAccess.path} element={<effectiveAccess.page />} />
      <Route path={whatIf.path} element={<whatIf.page />} />
      <Route path={approvals.path} element={<approvals.page />} />
      <Route path={vault.path} element={<vault.page />} />
      <Route path={myReviews.path} element={<myReviews.page />} />
    </CustomRoutes>
  </Admin>
);
