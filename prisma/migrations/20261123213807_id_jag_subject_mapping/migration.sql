-- CreateEnum
CREATE TYPE "subject_type" AS ENUM ('public', 'pairwise');

-- AlterTable
ALTER TABLE "resources" ADD COLUMN     "release_email" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "subject_type" "subject_type" NOT NULL DEFAULT 'public';

-- CreateTable
CREATE TABLE "client_registrations" (
    "id" UUID NOT NULL,
    "client_id" UUID NOT NULL,
    "resource_id" UUID NOT NULL,
    "remote_client_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "client_registrations_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "client_registrations_resource_id_idx" ON "client_registrations"("resource_id");

-- CreateIndex
CREATE UNIQUE INDEX "client_registrations_client_id_resource_id_key" ON "client_registrations"("client_id", "resource_id");

-- AddForeignKey
ALTER TABLE "client_registrations" ADD CONSTRAINT "client_registrations_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "clients"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "client_registrations" ADD CONSTRAINT "client_registrations_resource_id_fkey" FOREIGN KEY ("resource_id") REFERENCES "resources"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
