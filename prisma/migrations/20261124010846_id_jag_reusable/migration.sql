-- AlterTable
ALTER TABLE "resources" ADD COLUMN     "id_jag_reusable" BOOLEAN NOT NULL DEFAULT false;
