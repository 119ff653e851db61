export { ensureBootstrapAdmin } from './bootstrap-admin.ts';
export { demoRoleAccountEmails, seedDemoData } from './demo-data.ts';
export { issueFirstRunPasswords } from './role-accounts.ts';
