-- CreateEnum
CREATE TYPE "sts_consent_status" AS ENUM ('active', 'withdrawn', 'revoked');

-- AlterTable
ALTER TABLE "connections" ADD COLUMN     "oauth_provider_id" UUID;

-- CreateTable
CREATE TABLE "oauth_providers" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "issuer" TEXT NOT NULL,
    "client_id" TEXT NOT NULL,
    "client_secret_id" UUID,
    "scopes" TEXT[],
    "authorization_endpoint" TEXT,
    "token_endpoint" TEXT,
    "revocation_endpoint" TEXT,
    "status" "record_status" NOT NULL DEFAULT 'active',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "oauth_providers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sts_consents" (
    "id" UUID NOT NULL,
    "connection_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "status" "sts_consent_status" NOT NULL DEFAULT 'active',
    "scopes" TEXT[],
    "refresh_token_secret_id" UUID,
    "granted_at" TIMESTAMPTZ(3) NOT NULL,
    "withdrawn_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "revoked_by" TEXT,
    "upstream_revocation" TEXT,
    "last_refreshed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "sts_consents_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "oauth_providers_client_secret_id_key" ON "oauth_providers"("client_secret_id");

-- CreateIndex
CREATE UNIQUE INDEX "sts_consents_refresh_token_secret_id_key" ON "sts_consents"("refresh_token_secret_id");

-- CreateIndex
CREATE INDEX "sts_consents_user_id_idx" ON "sts_consents"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "sts_consents_connection_id_user_id_key" ON "sts_consents"("connection_id", "user_id");

-- AddForeignKey
ALTER TABLE "connections" ADD CONSTRAINT "connections_oauth_provider_id_fkey" FOREIGN KEY ("oauth_provider_id") REFERENCES "oauth_providers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "oauth_providers" ADD CONSTRAINT "oauth_providers_client_secret_id_fkey" FOREIGN KEY ("client_secret_id") REFERENCES "secrets"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sts_consents" ADD CONSTRAINT "sts_consents_connection_id_fkey" FOREIGN KEY ("connection_id") REFERENCES "connections"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sts_consents" ADD CONSTRAINT "sts_consents_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sts_consents" ADD CONSTRAINT "sts_consents_refresh_token_secret_id_fkey" FOREIGN KEY ("refresh_token_secret_id") REFERENCES "secrets"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
