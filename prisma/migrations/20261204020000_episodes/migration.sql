-- CreateTable
CREATE TABLE "Episode" (
    "id" TEXT NOT NULL,
    "showId" TEXT NOT NULL,
    "season" INTEGER NOT NULL,
    "number" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "airsAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Episode_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Episode_showId_airsAt_idx" ON "Episode"("showId", "airsAt");

-- CreateIndex
CREATE INDEX "Episode_airsAt_idx" ON "Episode"("airsAt");

-- CreateIndex
CREATE UNIQUE INDEX "Episode_showId_season_number_key" ON "Episode"("showId", "season", "number");

-- AddForeignKey
ALTER TABLE "Episode" ADD CONSTRAINT "Episode_showId_fkey" FOREIGN KEY ("showId") REFERENCES "Show"("id") ON DELETE CASCADE ON UPDATE CASCADE;

