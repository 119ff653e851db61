-- AlterTable
ALTER TABLE "trusted_idps" ADD COLUMN     "admin_sign_in_provider_id" UUID;

-- CreateIndex
CREATE UNIQUE INDEX "trusted_idps_admin_sign_in_provider_id_key" ON "trusted_idps"("admin_sign_in_provider_id");

-- AddForeignKey
ALTER TABLE "trusted_idps" ADD CONSTRAINT "trusted_idps_admin_sign_in_provider_id_fkey" FOREIGN KEY ("admin_sign_in_provider_id") REFERENCES "oauth_providers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
