import { describe, expect, it } from "vitest";
import { db } from "./helpers";

describe("the SQLite client", () => {
  it("keeps a plain write issued while another request's transaction is open out of that transaction", async () => {
    let plainWrite: Promise<unknown> | undefined;
    let plainWriteDone = false;
    const transaction = db.$transaction(async (tx) => {
      await tx.genre.create({ data: { name: "Rolled back" } });
      plainWrite = db.genre.create({ data: { name: "Written meanwhile" } }).then(() => (plainWriteDone = true));
      // Keep the transaction busy long enough for the plain write to run, if it is (wrongly) allowed to.
      for (let i = 0; i < 200 && !plainWriteDone; i++) await tx.genre.count();
      throw new Error("roll back");
    });
    await expect(transaction).rejects.toThrow("roll back");
    await plainWrite;
    const names = (await db.genre.findMany({ select: { name: true } })).map((genre) => genre.name);
    expect(names).toContain("Written meanwhile");
    expect(names).not.toContain("Rolled back");
  });
});
