-- CreateEnum
CREATE TYPE "tool_call_approval_status" AS ENUM ('pending', 'approved', 'rejected', 'expired', 'cancelled');

-- AlterTable
ALTER TABLE "resources" ADD COLUMN     "gateway_approval_timeout_seconds" INTEGER NOT NULL DEFAULT 120,
ADD COLUMN     "gateway_approval_tools" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateTable
CREATE TABLE "tool_call_approvals" (
    "id" UUID NOT NULL,
    "resource_id" UUID NOT NULL,
    "user_id" UUID,
    "subject" TEXT NOT NULL,
    "agent_client_id" TEXT NOT NULL,
    "token_jti" TEXT NOT NULL,
    "tool" TEXT NOT NULL,
    "arguments_sha256" TEXT NOT NULL,
    "summary" TEXT,
    "requested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "status" "tool_call_approval_status" NOT NULL DEFAULT 'pending',
    "decided_by" TEXT,
    "decided_by_id" UUID,
    "decided_at" TIMESTAMPTZ(3),
    "reason" TEXT,

    CONSTRAINT "tool_call_approvals_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "tool_call_approvals_status_requested_at_idx" ON "tool_call_approvals"("status", "requested_at");

-- CreateIndex
CREATE INDEX "tool_call_approvals_resource_id_idx" ON "tool_call_approvals"("resource_id");

-- CreateIndex
CREATE INDEX "tool_call_approvals_user_id_idx" ON "tool_call_approvals"("user_id");

-- AddForeignKey
ALTER TABLE "tool_call_approvals" ADD CONSTRAINT "tool_call_approvals_resource_id_fkey" FOREIGN KEY ("resource_id") REFERENCES "resources"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tool_call_approvals" ADD CONSTRAINT "tool_call_approvals_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
