-- CreateIndex
CREATE INDEX "Show_premiered_id_idx" ON "Show"("premiered" DESC, "id");

