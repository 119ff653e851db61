import { Box, Link as MuiLink, Typography } from '@mui/material';
import type { MouseEvent } from 'react';
import { adminObjects } from '@crossgate/domain';
import { Link, useCreatePath, useRecordContext } from 'react-admin';

import type { AuditEvent } from './types.ts';

const linkable = new Set<string>(adminObjects.filter((object) => object !== 'audit'));

/** What a person would call the record: its name, else its email or mapped group, else its id. */
function nameOf(event: AuditEvent): string | undefined {
  for (const snapshot of [event.after, event.before]) {
    for (const key of ['name', 'email', 'externalGroup']) {
      const value = snapshot?.[key];
      if (typeof value === 'string' && value !== '') {
        return value;
      }
    }
  }
  return event.targetId ?? undefined;
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
      {canLink ? (
        <MuiLink
          component={Link}
          to={createPath({ resource: event.targetType, id: event.targetId!, type: 'show' })}
          // Inside a clickable row: follow the link, not the row.
          onClick={(click: MouseEvent) => click.stopPropagation()}
        >
          {name}
        </MuiLink>
      ) : (
        <span>{name}</span>
      )}
      <Typography variant="caption" color="text.secondary" sx={{ display: 'block' }}>
        {event.targetType}
      </Typography>
    </Box>
  );
}
