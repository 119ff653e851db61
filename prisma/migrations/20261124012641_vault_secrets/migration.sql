-- CreateEnum
CREATE TYPE "rotation_status" AS ENUM ('idle', 'rotating', 'failed');

-- CreateEnum
CREATE TYPE "secret_purpose" AS ENUM ('connection_credential', 'rotation_hook_credential', 'sts_refresh_token', 'oauth_client_secret');

-- CreateEnum
CREATE TYPE "secret_version_state" AS ENUM ('pending', 'active', 'retiring', 'retired', 'failed');

-- AlterTable
ALTER TABLE "connections" ADD COLUMN     "account_name" TEXT,
ADD COLUMN     "credential_secret_id" UUID,
ADD COLUMN     "last_rotated_at" TIMESTAMPTZ(3),
ADD COLUMN     "next_rotation_at" TIMESTAMPTZ(3),
ADD COLUMN     "rotation_cron" TEXT,
ADD COLUMN     "rotation_error" TEXT,
ADD COLUMN     "rotation_hook_secret_id" UUID,
ADD COLUMN     "rotation_hook_url" TEXT,
ADD COLUMN     "rotation_interval_seconds" INTEGER,
ADD COLUMN     "rotation_overlap_seconds" INTEGER NOT NULL DEFAULT 3600,
ADD COLUMN     "rotation_status" "rotation_status" NOT NULL DEFAULT 'idle',
ADD COLUMN     "rotation_verify_url" TEXT;

-- CreateTable
CREATE TABLE "secrets" (
    "id" UUID NOT NULL,
    "purpose" "secret_purpose" NOT NULL,
    "label" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "secrets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "secret_versions" (
    "id" UUID NOT NULL,
    "secret_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "state" "secret_version_state" NOT NULL,
    "ciphertext" BYTEA NOT NULL,
    "nonce" BYTEA NOT NULL,
    "wrapped_key" BYTEA NOT NULL,
    "kek_id" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3),
    "activated_at" TIMESTAMPTZ(3),
    "retire_at" TIMESTAMPTZ(3),
    "retired_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "secret_versions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "secret_versions_secret_id_state_idx" ON "secret_versions"("secret_id", "state");

-- CreateIndex
CREATE INDEX "secret_versions_kek_id_idx" ON "secret_versions"("kek_id");

-- CreateIndex
CREATE UNIQUE INDEX "secret_versions_secret_id_version_key" ON "secret_versions"("secret_id", "version");

-- CreateIndex
CREATE UNIQUE INDEX "connections_credential_secret_id_key" ON "connections"("credential_secret_id");

-- CreateIndex
CREATE UNIQUE INDEX "connections_rotation_hook_secret_id_key" ON "connections"("rotation_hook_secret_id");

-- AddForeignKey
ALTER TABLE "connections" ADD CONSTRAINT "connections_credential_secret_id_fkey" FOREIGN KEY ("credential_secret_id") REFERENCES "secrets"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "connections" ADD CONSTRAINT "connections_rotation_hook_secret_id_fkey" FOREIGN KEY ("rotation_hook_secret_id") REFERENCES "secrets"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "secret_versions" ADD CONSTRAINT "secret_versions_secret_id_fkey" FOREIGN KEY ("secret_id") REFERENCES "secrets"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- At most one version of a secret is handed out at a time (a partial index, which the Prisma schema cannot express).
CREATE UNIQUE INDEX "secret_versions_one_active" ON "secret_versions"("secret_id") WHERE "state" = 'active';
