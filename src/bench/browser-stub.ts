// What the browser bundle of a `*.bench.mts` page gets instead of ./hand-written (see next.config.ts):
// getServerSideProps, its only user, never runs there.
export const accountByPrisma = () => {
  throw new Error("server only");
};
