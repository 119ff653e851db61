/**
 * react-admin's English messages, with names and labels for the words its humanizer gets wrong
 * (acronyms, "Client ID", "Policy" from "policies") and "Email" instead of "Username" on the sign-in form.
 */
import { adminObjects } from '@crossgate/domain';
import { defaultI18nProvider, type I18nProvider } from 'react-admin';

type AdminObject = (typeof adminObjects)[number];

/** Singular and plural, as react-admin asks for them (menu, list and record titles). */
const resourceNames: Record<AdminObject, [string, string]> = {
  'trusted-idps': ['Trusted IdP', 'Trusted IdPs'],
  users: ['User', 'Users'],
  groups: ['Group', 'Groups'],
  memberships: ['Membership', 'Memberships'],
  clients: ['Client', 'Clients'],
  resources: ['Resource', 'Resources'],
  'client-registrations': ['Client registration', 'Client registrations'],
  'ras-trusted-issuers': ['Trusted ID-JAG issuer', 'Trusted ID-JAG issuers'],
  policies: ['Policy', 'Policies'],
  'group-mappings': ['Group mapping', 'Group mappings'],
  connections: ['Connection', 'Connections'],
  'oauth-providers': ['OAuth provider', 'OAuth providers'],
  'sts-consents': ['STS consent', 'STS consents'],
  'admin-users': ['Admin user', 'Admin users'],
  'api-tokens': ['API token', 'API tokens'],
  audit: ['Audit event', 'Audit log'],
  'signing-keys': ['Signing key', 'Signing keys'],
};

/** Field labels that mean the same thing on every resource. */
const sharedFieldLabels: Record<string, string> = {
  id: 'ID',
  idpId: 'Trusted IdP',
  jwks: 'Pinned JWKS',
  jwksUri: 'JWKS URI',
  q: 'Search',
  createdAt: 'Created',
  updatedAt: 'Updated',
  lastUsedAt: 'Last used',
};

const fieldLabels: Partial<Record<AdminObject, Record<string, string>>> = {
  'trusted-idps': { groupsClaim: 'Groups claim', audiences: 'Accepted audiences (ID token aud)' },
  users: { subject: 'Subject (sub)', lastSeenAt: 'Last seen', groupId: 'Group' },
  clients: { clientId: 'Client ID', authMethod: 'Token endpoint auth method', scopeCeiling: 'Scope ceiling', idpClientId: 'Client ID at the IdP' },
  resources: {
    authorizationServer: 'Authorization server (issuer)',
    resourceIndicators: 'Resource indicators (RFC 8707)',
    subjectType: 'Subject type (ID-JAG sub)',
    releaseEmail: 'Release email to this resource',
    rasEnabled: 'Protected by Crossgate (resource-side authorization server)',
    accessTokenLifetimeSeconds: 'Access token lifetime (seconds)',
    rasTrustsCrossgateIdp: "Trust Crossgate's IdP role",
    idJagReusable: 'ID-JAG may be redeemed again until it expires',
    introspectionClientIds: 'Resource servers allowed to introspect',
  },
  'ras-trusted-issuers': { resourceId: 'Resource', issuer: 'Issuer (ID-JAG iss)' },
  'client-registrations': {
    clientId: 'Client',
    resourceId: 'Resource',
    remoteClientId: "Client ID at the resource's authorization server",
  },
  policies: {
    subjectGroupIds: 'Groups',
    subjectUserIds: 'Users',
    groupId: 'Group',
    userId: 'User',
    'conditions.timeWindow.days': 'Days',
    'conditions.timeWindow.start': 'From (HH:MM)',
    'conditions.timeWindow.end': 'Until (HH:MM)',
    'conditions.timeWindow.timeZone': 'Time zone',
    'conditions.requiredAcr': 'Required acr values',
    'conditions.requiredAmr': 'Required amr values',
    'conditions.maxLifetimeSeconds': 'Max ID-JAG lifetime (seconds)',
  },
  'group-mappings': { externalGroup: 'Group at the IdP', groupId: 'Crossgate group', adminRole: 'Admin role' },
  connections: {
    clientId: 'Client',
    resourceId: 'Resource',
    sunsetAt: 'Sunset date',
    accountName: 'Account name (user name)',
    rotationIntervalSeconds: 'Rotation interval (seconds)',
    rotationCron: 'Rotation schedule (cron)',
    rotationOverlapSeconds: 'Overlap after rotation (seconds)',
    rotationHookUrl: 'Rotation hook URL',
    rotationVerifyUrl: 'Verification URL',
    rotationStatus: 'Rotation',
    rotationError: 'Last rotation error',
    lastRotatedAt: 'Last rotated',
    nextRotationAt: 'Next rotation',
    // Wizard-only fields: they shape the request but are not stored on the connection.
    supports: 'What the resource supports',
    credential: 'API key or password',
    credentialExpiresAt: 'Credential expires',
    rotationMode: 'Rotation schedule',
    rotationIntervalHours: 'Every (hours)',
    rotationOverlapMinutes: 'Old version stays valid for (minutes)',
    hookCredential: 'Rotation hook credential',
    oauthProviderId: 'OAuth provider',
  },
  'oauth-providers': {
    issuer: 'Issuer',
    clientId: "Crossgate's client ID at the provider",
    clientSecret: 'Client secret',
    hasClientSecret: 'Client secret stored',
    removeClientSecret: 'Remove the stored client secret',
    scopes: 'Scopes users consent to',
    authorizationEndpoint: 'Authorization endpoint',
    tokenEndpoint: 'Token endpoint',
    revocationEndpoint: 'Revocation endpoint (RFC 7009)',
  },
  'sts-consents': {
    connectionId: 'Connection',
    userId: 'User',
    scopes: 'Granted scopes',
    grantedAt: 'Granted',
    lastRefreshedAt: 'Last refreshed',
    hasRefreshToken: 'Refresh token',
    withdrawnAt: 'Withdrawn by the user',
    revokedAt: 'Revoked',
    revokedBy: 'Revoked by',
    upstreamRevocation: 'At the provider',
  },
  'admin-users': { displayName: 'Name', lastLoginAt: 'Last sign-in' },
  'api-tokens': { adminUserId: 'Acts as', prefix: 'Token prefix', expiresAt: 'Expires', revokedAt: 'Revoked' },
  audit: {
    seq: 'Seq',
    at: 'Time',
    actorLabel: 'Actor',
    actorType: 'Actor type',
    actorId: 'Actor ID',
    targetType: 'Target type',
    targetId: 'Target ID',
    requestId: 'Request ID',
    prevHash: 'Previous hash',
  },
};

const messages = new Map<string, string | [string, string]>([
  ['ra.auth.username', 'Email'],
  // Deleting an API token revokes it; the record stays listed.
  ['resources.api-tokens.notifications.deleted', 'API token revoked'],
  // The connection wizard, its show page panels and the dashboard's migration ladder.
  ['crossgate.connections.wizard.title', 'New connection'],
  ['crossgate.connections.wizard.step.supports', 'What the resource supports'],
  ['crossgate.connections.wizard.step.pattern', 'Pattern'],
  ['crossgate.connections.wizard.step.details', 'Details'],
  ['crossgate.connections.wizard.step.credential', 'Credential and rotation'],
  ['crossgate.connections.wizard.step.review', 'Review'],
  ['crossgate.connections.wizard.back', 'Back'],
  ['crossgate.connections.wizard.next', 'Next'],
  ['crossgate.connections.wizard.create', 'Create connection'],
  ['crossgate.connections.wizard.recommended', 'Recommended'],
  ['crossgate.connections.wizard.unsupported', 'Not supported by this resource'],
  ['crossgate.connections.wizard.created', 'Connection created'],
  ['crossgate.connections.rotation.now', 'Rotate now'],
  ['crossgate.connections.rotation.title', 'Rotation'],
  ['crossgate.connections.rotation.failed', 'Rotation failed'],
  ['crossgate.connections.versions.title', 'Credential versions'],
  ['crossgate.connections.versions.none', 'No versions'],
  ['crossgate.connections.versions.version', 'Version'],
  ['crossgate.connections.versions.state', 'State'],
  ['crossgate.connections.versions.kekId', 'KEK ID'],
  ['crossgate.connections.versions.createdAt', 'Created'],
  ['crossgate.connections.versions.activatedAt', 'Activated'],
  ['crossgate.connections.versions.expiresAt', 'Expires'],
  ['crossgate.connections.versions.retireAt', 'Retires at'],
  ['crossgate.connections.versions.retiredAt', 'Retired'],
  ['crossgate.connections.provider.help', 'Where users consent; the connection brokers its tokens'],
  ['crossgate.connections.provider.create', 'Create an OAuth provider (opens in a new tab)'],
  ['crossgate.connections.consents.title', 'Consents on this connection'],
  // OAuth providers: the client secret is write-only.
  ['crossgate.oauthProviders.secret.stored', 'Yes: vaulted, never shown'],
  ['crossgate.oauthProviders.secret.none', 'No: a public client (PKCE only)'],
  ['crossgate.oauthProviders.secret.help', 'Sent once to the vault and never shown again; leave empty for a public client'],
  ['crossgate.oauthProviders.secret.replaceHelp', 'A secret is stored. Leave empty to keep it, or type a new one to replace it'],
  ['crossgate.oauthProviders.secret.removeHelp', 'For a public client that relies on PKCE alone'],
  ['crossgate.oauthProviders.issuerHelp', 'Its endpoints are discovered from here unless given below'],
  ['crossgate.oauthProviders.clientIdHelp', "The client ID Crossgate was registered with at the provider"],
  ['crossgate.oauthProviders.scopesHelp', 'What each user is asked to consent to; press Enter after each'],
  ['crossgate.oauthProviders.discoveredHelp', "Leave empty to discover it from the issuer's metadata"],
  ['crossgate.oauthProviders.discovered', "Discovered from the issuer's metadata"],
  ['crossgate.oauthProviders.connections', 'STS connections using it'],
  // STS consents: ended by the user (withdrawn) or an admin (revoked), and what the provider did then.
  ['crossgate.stsConsents.refreshToken.held', 'Held (vaulted)'],
  ['crossgate.stsConsents.refreshToken.none', 'None'],
  ['crossgate.stsConsents.revoke.button', 'Revoke'],
  ['crossgate.stsConsents.revoke.title', 'Revoke this consent?'],
  [
    'crossgate.stsConsents.revoke.confirm',
    "The agent can no longer act for this user on this connection until they consent again. Crossgate asks the provider to revoke the refresh token, and retires its own copy whatever the provider answers.",
  ],
  ['crossgate.stsConsents.upstream.revoked', 'Revoked at the provider: the refresh token no longer works there either.'],
  ['crossgate.stsConsents.upstream.failed', 'The provider could not be reached: revoked here only. Crossgate will never use the refresh token again, but the provider may still honour it.'],
  ['crossgate.stsConsents.upstream.unsupported', 'The provider offers no revocation endpoint: revoked here only. Crossgate will never use the refresh token again.'],
  ['crossgate.stsConsents.upstream.none', 'No refresh token was held, so there was nothing to revoke at the provider: revoked here.'],
  ['crossgate.dashboard.title', 'Crossgate'],
  ['crossgate.dashboard.ladder.title', 'Connections by pattern: the migration ladder'],
  ['crossgate.dashboard.ladder.subtitle', 'Move every connection up: service account → vaulted key → STS → XAA'],
  ['crossgate.dashboard.ladder.total', 'Connections in total'],
  ['crossgate.dashboard.ladder.active', 'active'],
  ['crossgate.dashboard.ladder.error', 'The ladder could not be loaded'],
]);
for (const resource of adminObjects) {
  messages.set(`resources.${resource}.name`, resourceNames[resource]);
  for (const [field, label] of Object.entries({ ...sharedFieldLabels, ...fieldLabels[resource] })) {
    messages.set(`resources.${resource}.fields.${field}`, label);
  }
}

export const i18nProvider: I18nProvider = {
  ...defaultI18nProvider,
  translate: (key, options?: { smart_count?: number }) => {
    const message = messages.get(key);
    if (message === undefined) {
      return defaultI18nProvider.translate(key, options);
    }
    return typeof message === 'string' ? message : message[options?.smart_count === 1 ? 0 : 1];
  },
};
