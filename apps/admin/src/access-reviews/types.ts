/** Access-review campaigns and items as the admin API (`/api/access-reviews/*`) sends them. */
import type { ConnectionPattern } from '@crossgate/domain';

export const campaignStatuses = ['draft', 'active', 'closed'] as const;
export const scopeKinds = ['all', 'resource', 'client', 'group', 'pattern'] as const;
export const reviewerRules = ['resource_owner', 'client_owner', 'named'] as const;
export const decisions = ['certify', 'revoke', 'narrow'] as const;
export type Decision = (typeof decisions)[number];
export type ScopeKind = (typeof scopeKinds)[number];

export interface Campaign {
  id: string;
  name: string;
  description: string | null;
  status: (typeof campaignStatuses)[number];
  scopeKind: ScopeKind;
  scopeValue: string | null;
  reviewerRule: (typeof reviewerRules)[number];
  reviewers: string[];
  fallbackReviewer: string;
  dueAt: string;
  undecidedOutcome: 'keep' | 'revoke';
  remediateImmediately: boolean;
  launchedAt: string | null;
  closedAt: string | null;
  itemCount: number;
}

export interface CampaignProgress {
  total: number;
  decided: number;
  undecided: number;
  byDecision: Record<Decision, number>;
}

/** What launch snapshotted beside each item. */
export interface ItemEvidence {
  policy?: { id: string; name: string | null; approvedBy: string | null; approvedAt: string | null };
  client?: { id: string; name: string; owner: string };
  resource?: { id: string; name: string; slug: string; owner: string };
  subject?: { type: string; id: string | null; label: string | null };
  connection?: { id: string; name: string; pattern: string } | null;
  periodStart?: string;
  lastUsedAt?: string | null;
  tokensIssued?: number;
  scopesGranted?: string[];
  scopesUsed?: string[];
  scopesUnused?: string[];
  highRiskScopes?: string[];
  lastCertification?: { campaignId: string; decision: Decision; decidedBy: string | null; decidedAt: string; justification: string | null } | null;
}

export interface ReviewItem {
  id: string;
  campaignId: string;
  policyId: string;
  clientId: string;
  resourceId: string;
  pattern: ConnectionPattern;
  subjectType: 'user' | 'group' | 'everyone';
  subjectId: string | null;
  scopes: string[];
  riskFlags: string[];
  evidence: ItemEvidence;
  reviewer: string;
  decision: Decision | null;
  keptScopes: string[];
  justification: string | null;
  decidedAt: string | null;
}

/** The latest decision on a review item of a policy (`GET /api/access-reviews/certifications/latest`). */
export interface Certification {
  itemId: string;
  campaignId: string;
  campaignName: string;
  subjectType: string;
  subjectId: string | null;
  decision: Decision;
  keptScopes: string[];
  decidedBy: string | null;
  decidedAt: string;
  justification: string | null;
}

export const campaignsPath = '/api/access-reviews/campaigns';
/** How often an active campaign's progress is asked for again. */
export const progressPollMilliseconds = 3_000;
