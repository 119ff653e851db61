import { Box, Typography } from '@mui/material';
import { ReferenceField, useRecordContext } from 'react-admin';

import type { AuditEvent } from './types.ts';

/** The records an actor type's `actorId` points at. */
const actorReference: Record<string, string> = {
  admin: 'admin-users',
  api_token: 'admin-users',
  client: 'clients',
  user: 'users',
};

/** Who acted, linked to the admin, client or user it names (with the token's label when one acted for an admin). */
export function ActorField(_props: { label?: string }) {
  const event = useRecordContext<AuditEvent>();
  if (!event) {
    return null;
  }
  const reference = actorReference[event.actorType];
  return (
    <Box>
      {reference && event.actorId ? (
        <ReferenceField record={{ id: event.actorId, actorId: event.actorId }} source="actorId" reference={reference} link="show" emptyText={event.actorLabel ?? '(deleted)'} />
      ) : (
        <span>{event.actorLabel ?? event.actorType}</span>
      )}
      {event.actorType === 'api_token' && event.actorLabel && (
        <Typography variant="caption" color="text.secondary" sx={{ display: 'block' }}>
          {event.actorLabel}
        </Typography>
      )}
    </Box>
  );
}
