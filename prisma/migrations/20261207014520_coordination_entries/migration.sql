-- CreateTable
CREATE TABLE "coordination_entries" (
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3),

    CONSTRAINT "coordination_entries_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "coordination_entries_expires_at_idx" ON "coordination_entries"("expires_at");
