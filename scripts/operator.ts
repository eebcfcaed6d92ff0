import os from "node:os";

/**
 * Who runs an operator's command, for the record: the system user and the host, with the one behind
 * sudo where there is one ("alice as root@db-1"); a uid without a name (a container's) as its number.
 * SUDO_USER is what the environment says, and whoever holds DATABASE_URL could write any row: this
 * records, it does not prove.
 */
export function operatorName(env: Record<string, string | undefined> = process.env): string {
  const read = (what: () => string, otherwise: string) => {
    try {
      return what();
    } catch {
      return otherwise;
    }
  };
  const user = read(() => os.userInfo().username, `uid ${process.getuid?.() ?? "unknown"}`);
  const host = read(() => os.hostname(), "an unnamed host");
  return `${env.SUDO_USER && env.SUDO_USER !== user ? `${env.SUDO_USER} as ${user}` : user}@${host}`;
}
