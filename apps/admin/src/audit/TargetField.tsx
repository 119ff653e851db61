import { Box, Link as MuiLink, Typography } from '@mui/material';
import type { MouseEvent } from 'react';
import { adminObjects } from '@crossgate/domain';
import { Link, ReferenceField, useCreatePath, useRecordContext } from 'react-admin';

import type { AuditEvent } from './types.ts';

// An access-review event's target is the campaign, whose page is the `access-reviews` resource.
const linkable = new Set<string>(adminObjects.filter((object) => object !== 'audit'));

/** What a person would call the record, from the event's own snapshots: its name, email or mapped group. */
function nameOf(event: AuditEvent): string | undefined {
  for (const snapshot of [event.after, event.before]) {
    for (const key of ['name', 'email', 'externalGroup', 'targetLabel']) {
      const value = snapshot?.[key];
      if (typeof value === 'string' && value !== '') {
        return value;
      }
    }
  }
  return undefined;
}

/** Where the event carries no name (a secret rotation, a membership): the record's own representation, looked up. */
function LookedUpName({ reference, id }: { reference: string; id: string }) {
  return (
    <ReferenceField
      record={{ id, targetId: id }}
      source="targetId"
      reference={reference}
      link="show"
      // A deleted record is gone from the API: say so rather than show its id.
      emptyText="(deleted)"
    />
  );
}

/** The event's target, named and linked to the record when it is one the UI shows. */
export function TargetField(_props: { label?: string }) {
  const event = useRecordContext<AuditEvent>();
  const createPath = useCreatePath();
  if (!event?.targetType) {
    return <span>—</span>;
  }
  const name = nameOf(event);
  const canLink = event.targetId && linkable.has(event.targetType);
  return (
    <Box>
      {canLink && name === undefined ? (
        <LookedUpName reference={event.targetType} id={event.targetId!} />
      ) : canLink ? (
        <MuiLink
          component={Link}
          to={createPath({ resource: event.targetType, id: event.targetId!, type: 'show' })}
          // Inside a clickable row: follow the link, not the row.
          onClick={(click: MouseEvent) => click.stopPropagation()}
        >
          {name}
        </MuiLink>
      ) : (
        <span>{name ?? event.targetType}</span>
      )}
      <Typography variant="caption" color="text.secondary" sx={{ display: 'block' }}>
        {event.targetType}
      </Typography>
    </Box>
  );
}
