/**
 * @overview The console's global search: users, groups, clients (apps and agents), resources and
 * connections whose name (or the resource's own search fields) contains the words typed, a few of
 * each kind, through the same list query the admin lists use. Kinds the caller's role may not read
 * are left out, so the search never shows more than the lists would.
 */
import { Injectable } from '@nestjs/common';
import { z } from 'zod';

import type { Permission } from '@crossgate/domain';
import type { StoredRecord } from '@crossgate/store';

import { AccessControl, type AdminPrincipal } from '../auth/index.ts';
import { clientsResource } from '../clients/index.ts';
import { connectionsResource } from '../connections/index.ts';
import { type AdminResource, CrudService } from '../crud/index.ts';
import { groupsResource } from '../groups/index.ts';
import { AdminApiError } from '../http/index.ts';
import { resourcesResource } from '../resources/index.ts';
import { usersResource } from '../users/index.ts';

/** At most this many hits of each kind. */
export const searchLimitPerKind = 5;

const querySchema = z.object({ q: z.string().trim().min(1).max(100) });

export interface SearchHit {
  /** The admin object, as in `/api/<kind>/:id`. */
  kind: string;
  id: string;
  /** What the console shows: the record's name. */
  label: string;
  /** A second line: the OAuth client_id, the slug, the email or the pattern. */
  detail: string | null;
}

export interface SearchResult {
  q: string;
  hits: SearchHit[];
}

interface SearchKind {
  resource: AdminResource;
  sort: [string, 'ASC'];
  label(record: StoredRecord): string;
  detail(record: StoredRecord): string | null;
}

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

const kinds: readonly SearchKind[] = [
  {
    resource: usersResource,
    sort: ['email', 'ASC'],
    label: (user) => text(user['displayName']) ?? text(user['email']) ?? String(user['subject']),
    detail: (user) => text(user['email']),
  },
  { resource: groupsResource, sort: ['name', 'ASC'], label: (group) => String(group['name']), detail: (group) => text(group['description']) },
  { resource: clientsResource, sort: ['name', 'ASC'], label: (client) => String(client['name']), detail: (client) => text(client['clientId']) },
  { resource: resourcesResource, sort: ['name', 'ASC'], label: (resource) => String(resource['name']), detail: (resource) => text(resource['slug']) },
  { resource: connectionsResource, sort: ['name', 'ASC'], label: (connection) => String(connection['name']), detail: (connection) => text(connection['pattern']) },
];

@Injectable()
export class SearchService {
  constructor(
    private readonly crud: CrudService,
    private readonly accessControl: AccessControl,
  ) {}

  async search(query: unknown, principal: AdminPrincipal | null): Promise<SearchResult> {
    const parsed = querySchema.safeParse(query);
    if (!parsed.success) {
      throw new AdminApiError('bad_request', 'Give q: the words to look for, 1 to 100 characters');
    }
    const { q } = parsed.data;
    const readable = kinds.filter(({ resource }) => principal && this.accessControl.allows(principal.role, `${resource.object}:read` as Permission));
    const found = await Promise.all(
      readable.map(async (kind) => {
        const { records } = await this.crud.list(kind.resource, {
          filter: JSON.stringify({ q }),
          sort: JSON.stringify(kind.sort),
          range: JSON.stringify([0, searchLimitPerKind - 1]),
        });
        return records.map((record) => ({ kind: kind.resource.object, id: String(record['id']), label: kind.label(record), detail: kind.detail(record) }));
      }),
    );
    return { q, hits: found.flat() };
  }
}
