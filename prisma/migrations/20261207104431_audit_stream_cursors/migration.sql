-- CreateTable
CREATE TABLE "audit_stream_cursors" (
    "name" TEXT NOT NULL,
    "last_seq" BIGINT NOT NULL DEFAULT 0,
    "delivered_at" TIMESTAMPTZ(3),
    "failures" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_stream_cursors_pkey" PRIMARY KEY ("name")
);
