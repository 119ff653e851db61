-- AlterTable
ALTER TABLE "resources" ADD COLUMN     "access_token_lifetime_seconds" INTEGER NOT NULL DEFAULT 300,
ADD COLUMN     "introspection_client_ids" UUID[] DEFAULT ARRAY[]::UUID[],
ADD COLUMN     "ras_enabled" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "ras_trusts_crossgate_idp" BOOLEAN NOT NULL DEFAULT true;

-- CreateTable
CREATE TABLE "ras_trusted_issuers" (
    "id" UUID NOT NULL,
    "resource_id" UUID NOT NULL,
    "issuer" TEXT NOT NULL,
    "jwks_uri" TEXT,
    "jwks" JSONB,
    "status" "record_status" NOT NULL DEFAULT 'active',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ras_trusted_issuers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "redeemed_assertions" (
    "issuer" TEXT NOT NULL,
    "jti" TEXT NOT NULL,
    "resource_id" UUID NOT NULL,
    "redeemed_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "redeemed_assertions_pkey" PRIMARY KEY ("issuer","jti")
);

-- CreateIndex
CREATE UNIQUE INDEX "ras_trusted_issuers_resource_id_issuer_key" ON "ras_trusted_issuers"("resource_id", "issuer");

-- CreateIndex
CREATE INDEX "redeemed_assertions_expires_at_idx" ON "redeemed_assertions"("expires_at");

-- AddForeignKey
ALTER TABLE "ras_trusted_issuers" ADD CONSTRAINT "ras_trusted_issuers_resource_id_fkey" FOREIGN KEY ("resource_id") REFERENCES "resources"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
