-- AlterTable
ALTER TABLE "access_review_campaigns" ADD COLUMN     "escalated_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "access_review_items" ADD COLUMN     "escalated_from" TEXT,
ADD COLUMN     "escalation_held" TEXT;

-- CreateTable
CREATE TABLE "access_review_notifications" (
    "id" UUID NOT NULL,
    "campaign_id" UUID NOT NULL,
    "reviewer" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "undecided" INTEGER NOT NULL,
    "email_sent_at" TIMESTAMPTZ(3),
    "webhook_sent_at" TIMESTAMPTZ(3),
    "delivered_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "access_review_notifications_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "access_review_notifications_delivered_at_idx" ON "access_review_notifications"("delivered_at");

-- CreateIndex
CREATE UNIQUE INDEX "access_review_notifications_campaign_id_reviewer_step_key" ON "access_review_notifications"("campaign_id", "reviewer", "step");

-- AddForeignKey
ALTER TABLE "access_review_notifications" ADD CONSTRAINT "access_review_notifications_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "access_review_campaigns"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
