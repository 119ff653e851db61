-- CreateEnum
CREATE TYPE "policy_approval_status" AS ENUM ('pending', 'approved', 'rejected', 'withdrawn');

-- CreateTable
CREATE TABLE "policy_approvals" (
    "id" UUID NOT NULL,
    "policy_id" UUID NOT NULL,
    "requested_by" TEXT NOT NULL,
    "requested_by_id" UUID,
    "requested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "changes" JSONB NOT NULL DEFAULT '{}',
    "note" TEXT,
    "impact" JSONB NOT NULL,
    "status" "policy_approval_status" NOT NULL DEFAULT 'pending',
    "decided_by" TEXT,
    "decided_by_id" UUID,
    "decided_at" TIMESTAMPTZ(3),
    "reason" TEXT,

    CONSTRAINT "policy_approvals_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "policy_approvals_status_requested_at_idx" ON "policy_approvals"("status", "requested_at");

-- CreateIndex
CREATE INDEX "policy_approvals_policy_id_idx" ON "policy_approvals"("policy_id");

-- AddForeignKey
ALTER TABLE "policy_approvals" ADD CONSTRAINT "policy_approvals_policy_id_fkey" FOREIGN KEY ("policy_id") REFERENCES "policies"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- CreateIndex (by hand: Prisma's schema cannot express a partial index). One pending approval per policy.
CREATE UNIQUE INDEX "policy_approvals_one_pending_per_policy" ON "policy_approvals"("policy_id") WHERE "status" = 'pending';
