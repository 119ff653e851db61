/**
 * The menu, by task rather than by table: what exists (inventory), who may reach what (access), how
 * apps reach what they call (connections), what waits for a second person (governance), what to
 * pull in an incident, and the audit trail. Items a role cannot read are hidden by react-admin's
 * `canAccess`; a group with no visible item still shows its heading, which is harmless.
 */
import { Box, Typography } from '@mui/material';
import type { ComponentType, ReactNode } from 'react';
import { Menu, useCanAccess, useSidebarState } from 'react-admin';

import approvals from '../approvals/index.ts';
import { visuallyHidden } from '../common/visuallyHidden.ts';
import effectiveAccess from '../effective-access/index.ts';
import myReviews from '../my-reviews/index.ts';
import vault from '../vault/index.ts';
import whatIf from '../what-if/index.ts';

/** A page of its own (not a resource list): its path, menu label and icon. */
interface RoutePage {
  path: string;
  label: string;
  icon: ComponentType;
}

function Group({ label, children }: { label: string; children: ReactNode }) {
  const [open] = useSidebarState();
  const id = `menu-group-${label.toLowerCase().replace(/\W+/g, '-')}`;
  return (
    <Box role="group" aria-labelledby={id} sx={{ mt: 1 }}>
      <Typography
        id={id}
        variant="overline"
        color="text.secondary"
        sx={open ? { px: 2, display: 'block', lineHeight: 2 } : visuallyHidden}
      >
        {label}
      </Typography>
      {children}
    </Box>
  );
}

const PageItem = ({ page }: { page: RoutePage }) => <Menu.Item to={page.path} primaryText={page.label} leftIcon={<page.icon />} />;

/** "My reviews" only for roles that may decide review items. */
function ReviewerItem() {
  const { canAccess } = useCanAccess({ resource: 'access-reviews', action: 'review' });
  return canAccess ? <PageItem page={myReviews} /> : null;
}

export const AppMenu = () => (
  <Menu>
    <Menu.DashboardItem />
    <Group label="Inventory">
      <Menu.ResourceItem name="trusted-idps" />
      <Menu.ResourceItem name="users" />
      <Menu.ResourceItem name="groups" />
      <Menu.ResourceItem name="memberships" />
      <Menu.ResourceItem name="clients" primaryText="Agents and apps" />
      <Menu.ResourceItem name="resources" />
      <Menu.ResourceItem name="ras-trusted-issuers" />
    </Group>
    <Group label="Access">
      <Menu.ResourceItem name="policies" />
      <Menu.ResourceItem name="group-mappings" />
      <PageItem page={effectiveAccess} />
      <PageItem page={whatIf} />
    </Group>
    <Group label="Connections">
      <Menu.ResourceItem name="connections" />
      <Menu.ResourceItem name="oauth-providers" />
      <Menu.ResourceItem name="sts-consents" primaryText="Consents" />
      <PageItem page={vault} />
      <Menu.ResourceItem name="client-registrations" />
    </Group>
    <Group label="Governance">
      <PageItem page={approvals} />
      <Menu.ResourceItem name="access-reviews" />
      <ReviewerItem />
    </Group>
    <Group label="Incident">
      <Menu.ResourceItem name="kill-switches" />
    </Group>
    <Group label="Audit">
      <Menu.ResourceItem name="audit" />
    </Group>
    <Group label="Settings">
      <Menu.ResourceItem name="admin-users" />
      <Menu.ResourceItem name="api-tokens" />
    </Group>
  </Menu>
);
