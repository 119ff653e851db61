/**
 * @overview Separation of duties in access reviews: nobody certifies their own access. An admin is
 * matched to end users through the users that have the admin's e-mail, and those users' groups. The
 * store applies the same rule in SQL (bulk decisions, escalation), so it holds wherever items move.
 */

/** Who an admin is among the users policies name: their user ids and those users' groups. */
export interface ReviewerIdentity {
  userIds: string[];
  groupIds: string[];
}

/** Whom a review item grants: one user, one group, or everyone. */
export interface ReviewSubject {
  subjectType: 'user' | 'group' | 'everyone';
  subjectId: string | null;
}

/** Whether `item` grants the access of the user(s) behind `identity`: theirs, a group of theirs, or everyone (when they are a user at all). */
export function grantsOwnAccess(item: ReviewSubject, identity: ReviewerIdentity): boolean {
  switch (item.subjectType) {
    case 'everyone':
      return identity.userIds.length > 0;
    case 'user':
      return item.subjectId !== null && identity.userIds.includes(item.subjectId);
    case 'group':
      return item.subjectId !== null && identity.groupIds.includes(item.subjectId);
    default: {
      const unreachable: never = item.subjectType;
      return unreachable;
    }
  }
}
