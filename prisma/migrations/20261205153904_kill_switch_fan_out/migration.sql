-- CreateEnum
CREATE TYPE "kill_switch_state" AS ENUM ('pending_approval', 'active', 'lifted', 'expired', 'rejected');

-- CreateEnum
CREATE TYPE "kill_switch_delivery_kind" AS ENUM ('ssf_set', 'sts_revocation', 'credential_rotation');

-- CreateEnum
CREATE TYPE "kill_switch_delivery_status" AS ENUM ('pending', 'delivered', 'failed', 'dead_lettered');

-- CreateEnum
CREATE TYPE "ssf_stream_status" AS ENUM ('enabled', 'paused', 'disabled');

-- AlterEnum
ALTER TYPE "secret_purpose" ADD VALUE 'ssf_authorization_header';

-- AlterEnum
ALTER TYPE "kill_switch_scope" ADD VALUE 'connection';

-- AlterTable
ALTER TABLE "kill_switches" ADD COLUMN     "approved_at" TIMESTAMPTZ(3),
ADD COLUMN     "approved_by" TEXT,
ADD COLUMN     "connection_id" UUID,
ADD COLUMN     "created_by_id" TEXT,
ADD COLUMN     "expires_at" TIMESTAMPTZ(3),
ADD COLUMN     "fanned_out_at" TIMESTAMPTZ(3),
ADD COLUMN     "lift_reason" TEXT,
ADD COLUMN     "lift_request_reason" TEXT,
ADD COLUMN     "lift_requested_at" TIMESTAMPTZ(3),
ADD COLUMN     "lift_requested_by" TEXT,
ADD COLUMN     "lift_requested_by_id" TEXT,
ADD COLUMN     "lifted_by" TEXT,
ADD COLUMN     "requested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "state" "kill_switch_state" NOT NULL DEFAULT 'active',
ADD COLUMN     "tokens_revoked" INTEGER NOT NULL DEFAULT 0,
ALTER COLUMN "activated_at" DROP NOT NULL;

-- CreateTable
CREATE TABLE "kill_switch_deliveries" (
    "id" UUID NOT NULL,
    "kill_switch_id" UUID NOT NULL,
    "kind" "kill_switch_delivery_kind" NOT NULL,
    "target_id" TEXT NOT NULL,
    "subject_key" TEXT NOT NULL DEFAULT 'principal',
    "target_label" TEXT NOT NULL,
    "set_jti" TEXT,
    "subject" JSONB,
    "status" "kill_switch_delivery_status" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "last_attempt_at" TIMESTAMPTZ(3),
    "delivered_at" TIMESTAMPTZ(3),
    "redrives" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "kill_switch_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ssf_streams" (
    "id" UUID NOT NULL,
    "audience" TEXT[],
    "endpoint_url" TEXT NOT NULL,
    "authorization_secret_id" UUID,
    "events_requested" TEXT[],
    "description" TEXT,
    "status" "ssf_stream_status" NOT NULL DEFAULT 'enabled',
    "status_reason" TEXT,
    "resource_id" UUID,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "ssf_streams_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "kill_switch_deliveries_set_jti_key" ON "kill_switch_deliveries"("set_jti");

-- CreateIndex
CREATE INDEX "kill_switch_deliveries_kill_switch_id_status_idx" ON "kill_switch_deliveries"("kill_switch_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "kill_switch_deliveries_kill_switch_id_kind_target_id_subjec_key" ON "kill_switch_deliveries"("kill_switch_id", "kind", "target_id", "subject_key");

-- CreateIndex
CREATE UNIQUE INDEX "ssf_streams_authorization_secret_id_key" ON "ssf_streams"("authorization_secret_id");

-- CreateIndex
CREATE INDEX "ssf_streams_status_idx" ON "ssf_streams"("status");

-- CreateIndex
CREATE INDEX "kill_switches_state_idx" ON "kill_switches"("state");

-- AddForeignKey
ALTER TABLE "kill_switch_deliveries" ADD CONSTRAINT "kill_switch_deliveries_kill_switch_id_fkey" FOREIGN KEY ("kill_switch_id") REFERENCES "kill_switches"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ssf_streams" ADD CONSTRAINT "ssf_streams_authorization_secret_id_fkey" FOREIGN KEY ("authorization_secret_id") REFERENCES "secrets"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ssf_streams" ADD CONSTRAINT "ssf_streams_resource_id_fkey" FOREIGN KEY ("resource_id") REFERENCES "resources"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
