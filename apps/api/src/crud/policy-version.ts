import type { WriteContext } from './admin-resource.ts';

/**
 * Marks the policy set as changed, in the transaction of the change itself, so every API instance
 * can tell that its compiled policy index is stale (see PolicyVersion in prisma/schema.prisma).
 */
export async function bumpPolicyVersion(context: Pick<WriteContext, 'updateMany'>): Promise<void> {
  await context.updateMany('policyVersion', { id: 1 }, { version: { increment: 1 } });
}
