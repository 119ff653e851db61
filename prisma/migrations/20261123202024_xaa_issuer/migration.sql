-- CreateEnum
CREATE TYPE "signing_key_state" AS ENUM ('next', 'active', 'retired');

-- CreateEnum
CREATE TYPE "kill_switch_scope" AS ENUM ('user', 'client', 'app_pair', 'resource', 'idp', 'everything');

-- AlterTable
ALTER TABLE "clients" ADD COLUMN     "idp_client_id" TEXT,
ADD COLUMN     "secret_hash" TEXT;

-- CreateTable
CREATE TABLE "signing_keys" (
    "id" UUID NOT NULL,
    "role" TEXT NOT NULL,
    "alg" TEXT NOT NULL,
    "kid" TEXT NOT NULL,
    "state" "signing_key_state" NOT NULL,
    "public_jwk" JSONB NOT NULL,
    "private_key_jwe" TEXT NOT NULL,
    "kek_id" TEXT NOT NULL,
    "activated_at" TIMESTAMPTZ(3),
    "retired_at" TIMESTAMPTZ(3),
    "publish_until" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "signing_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "policy_version" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "version" BIGINT NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "policy_version_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "issued_tokens" (
    "jti" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "client_id" UUID NOT NULL,
    "resource_id" UUID,
    "user_id" UUID,
    "scopes" TEXT[],
    "policy_ids" UUID[],
    "issued_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),
    "consumed_at" TIMESTAMPTZ(3),

    CONSTRAINT "issued_tokens_pkey" PRIMARY KEY ("jti")
);

-- CreateTable
CREATE TABLE "kill_switches" (
    "id" UUID NOT NULL,
    "scope" "kill_switch_scope" NOT NULL,
    "user_id" UUID,
    "client_id" UUID,
    "resource_id" UUID,
    "idp_id" UUID,
    "reason" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "activated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lifted_at" TIMESTAMPTZ(3),

    CONSTRAINT "kill_switches_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "signing_keys_kid_key" ON "signing_keys"("kid");

-- CreateIndex
CREATE INDEX "signing_keys_role_state_idx" ON "signing_keys"("role", "state");

-- CreateIndex
CREATE INDEX "issued_tokens_user_id_idx" ON "issued_tokens"("user_id");

-- CreateIndex
CREATE INDEX "issued_tokens_client_id_resource_id_idx" ON "issued_tokens"("client_id", "resource_id");

-- CreateIndex
CREATE INDEX "issued_tokens_expires_at_idx" ON "issued_tokens"("expires_at");

-- CreateIndex
CREATE INDEX "kill_switches_scope_lifted_at_idx" ON "kill_switches"("scope", "lifted_at");

-- The policy set starts at version 0 and every policy write bumps it (no semicolons in comments: the engine splits on them).
INSERT INTO "policy_version" ("id", "version", "updated_at") VALUES (1, 0, CURRENT_TIMESTAMP);
