/**
 * @overview A call of a high-risk tool (one of the resource's `approvalTools`) goes upstream only
 * once an it-admin or incident responder approves it in Crossgate's console. The gateway opens the
 * approval request (the call named by its tool and the SHA-256 of its canonical arguments, never the
 * arguments; with the agent's optional summary) and long-polls Crossgate for the decision, so any
 * gateway instance and any API instance can take part. It fails closed: a rejection, a timeout, a
 * kill switch or revocation while it waits (Crossgate cancels the request), or Crossgate not
 * answering, refuses the call.
 */
import { type Approval, type CrossgateClient, CrossgateRefusalError, CrossgateUnavailableError, type Route } from '../crossgate/crossgate.client.ts';

/** The longest one long poll is held at Crossgate (its own limit is 25 s). */
const maxWaitSeconds = 20;
/** How long past the request's own timeout the gateway still waits for Crossgate to say so. */
const graceMs = 10_000;
/** The `_meta` key of a `tools/call` whose value (a short text) is shown to the approver. */
export const summaryMetaKey = 'dev.crossgate/approval-summary';

export type ApprovalOutcome = { approved: true; approvalId: string } | { approved: false; approvalId?: string; status: Approval['status'] | 'unavailable'; reason: string };

/** Waits for the decision on a call of `tool`; resolves with it, never throws for Crossgate's sake. */
export async function awaitToolApproval(crossgate: CrossgateClient, route: Route, token: string, call: { tool: string; argumentsSha256: string; summary?: string }, now: () => number = Date.now): Promise<ApprovalOutcome> {
  let approval: Approval | undefined;
  try {
    approval = await crossgate.openApproval(route, token, call);
    const deadline = now() + approval.expiresIn * 1000 + graceMs;
    while (approval.status === 'pending') {
      if (now() > deadline) {
        return { approved: false, approvalId: approval.id, status: 'expired', reason: timedOut(route, call.tool) };
      }
      approval = await crossgate.awaitApproval(route, token, approval.id, Math.min(maxWaitSeconds, approval.expiresIn + 1));
    }
  } catch (error) {
    const approvalId = approval?.id;
    if (error instanceof CrossgateRefusalError) {
      return { approved: false, ...(approvalId === undefined ? {} : { approvalId }), status: 'cancelled', reason: `Tool "${call.tool}" needs an approval, and Crossgate refused the call: ${error.message}` };
    }
    if (error instanceof CrossgateUnavailableError) {
      return { approved: false, ...(approvalId === undefined ? {} : { approvalId }), status: 'unavailable', reason: `Tool "${call.tool}" needs an approval, and Crossgate cannot be asked right now: the call is refused` };
    }
    throw error;
  }
  return outcomeOf(route, call.tool, approval);
}

const timedOut = (route: Route, tool: string) => `Tool "${tool}" needs an approval, and none came within ${route.approvalTimeoutSeconds} s: the call is refused`;

function outcomeOf(route: Route, tool: string, approval: Approval): ApprovalOutcome {
  const { id: approvalId, status } = approval;
  switch (status) {
    case 'approved':
      return { approved: true, approvalId };
    case 'rejected':
      return { approved: false, approvalId, status, reason: `Tool "${tool}" was rejected by ${approval.decidedBy ?? 'an approver'}: ${approval.reason ?? 'no reason given'}` };
    case 'expired':
      return { approved: false, approvalId, status, reason: timedOut(route, tool) };
    case 'cancelled':
      return { approved: false, approvalId, status, reason: `Tool "${tool}" needs an approval, and the call was cancelled: ${approval.reason ?? 'its access token is no longer active'}` };
    case 'pending':
      return { approved: false, approvalId, status: 'expired', reason: timedOut(route, tool) };
    default: {
      const unreachable: never = status;
      return unreachable;
    }
  }
}
