-- AlterTable
ALTER TABLE "connections" ADD COLUMN     "rotation_job_id" TEXT,
ADD COLUMN     "rotation_lease_until" TIMESTAMPTZ(3),
ADD COLUMN     "rotation_step" TEXT;

-- At most one pending version per secret: a rotation resumes the pending version it made instead of
-- adding another (a partial index, which the Prisma schema cannot express).
CREATE UNIQUE INDEX "secret_versions_one_pending" ON "secret_versions"("secret_id") WHERE "state" = 'pending';
