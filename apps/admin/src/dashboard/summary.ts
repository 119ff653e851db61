/** What `GET /api/dashboard` answers (dates as ISO strings). */
export interface NamedConnection {
  id: string;
  name: string;
}

export interface ExchangeDay {
  day: string;
  allowed: number;
  denied: number;
}

export interface DashboardSummary {
  killSwitches: { active: number; pendingApproval: number };
  draftPolicies: number;
  failedRotations: (NamedConnection & { error: string | null })[];
  sunsetting: (NamedConnection & { sunsetAt: string })[];
  unused: { total: number; connections: (NamedConnection & { lastUsedAt: string | null })[] };
  exchanges: ExchangeDay[];
  lastChainCheck: { seq: string; at: string; intact: boolean; reason: string | null } | null;
  developmentKek: boolean;
  thresholds: { sunsetWarningDays: number; unusedAfterDays: number };
}
