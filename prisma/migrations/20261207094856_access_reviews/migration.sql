-- CreateEnum
CREATE TYPE "access_review_status" AS ENUM ('draft', 'active', 'closed');

-- CreateEnum
CREATE TYPE "access_review_decision" AS ENUM ('certify', 'revoke', 'narrow');

-- AlterEnum
ALTER TYPE "kill_switch_scope" ADD VALUE 'user_app_pair';

-- CreateTable
CREATE TABLE "access_review_campaigns" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "status" "access_review_status" NOT NULL DEFAULT 'draft',
    "scope_kind" TEXT NOT NULL,
    "scope_value" TEXT,
    "reviewer_rule" TEXT NOT NULL,
    "reviewers" TEXT[],
    "fallback_reviewer" TEXT NOT NULL,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "undecided_outcome" TEXT NOT NULL DEFAULT 'keep',
    "remediate_immediately" BOOLEAN NOT NULL DEFAULT false,
    "evidence_since" TIMESTAMPTZ(3) NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_by_id" TEXT,
    "launched_at" TIMESTAMPTZ(3),
    "closed_at" TIMESTAMPTZ(3),
    "closed_by" TEXT,
    "item_count" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "access_review_campaigns_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "access_review_items" (
    "id" UUID NOT NULL,
    "campaign_id" UUID NOT NULL,
    "policy_id" UUID NOT NULL,
    "client_id" UUID NOT NULL,
    "resource_id" UUID NOT NULL,
    "pattern" "connection_pattern" NOT NULL,
    "subject_type" TEXT NOT NULL,
    "subject_id" UUID,
    "scopes" TEXT[],
    "risk_flags" TEXT[],
    "evidence" JSONB NOT NULL DEFAULT '{}',
    "reviewer" TEXT NOT NULL,
    "decision" "access_review_decision",
    "kept_scopes" TEXT[],
    "justification" TEXT,
    "decided_by" TEXT,
    "decided_by_id" UUID,
    "decided_at" TIMESTAMPTZ(3),
    "close_outcome" TEXT,
    "remediated_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "access_review_items_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "access_review_campaigns_status_idx" ON "access_review_campaigns"("status");

-- CreateIndex
CREATE INDEX "access_review_items_campaign_id_reviewer_decision_idx" ON "access_review_items"("campaign_id", "reviewer", "decision");

-- CreateIndex
CREATE INDEX "access_review_items_campaign_id_decision_idx" ON "access_review_items"("campaign_id", "decision");

-- CreateIndex
CREATE INDEX "access_review_items_client_id_resource_id_subject_id_idx" ON "access_review_items"("client_id", "resource_id", "subject_id");

-- AddForeignKey
ALTER TABLE "access_review_items" ADD CONSTRAINT "access_review_items_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "access_review_campaigns"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
