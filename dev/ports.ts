import fs from "node:fs";
import net from "node:net";

/** Binds `port` on loopback (0: one the OS picks) and lets it go again: the port, or null when it is taken. */
async function bindAndRelease(port: number): Promise<number | null> {
  const server = net.createServer();
  const bound = await new Promise<boolean>((resolve) => {
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => resolve(true));
  });
  if (!bound) return null;
  const { port: taken } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return taken;
}

/** A loopback port free right now (the OS picks it), for servers the tests and scripts start. */
export async function freeLoopbackPort(): Promise<number> {
  const port = await bindAndRelease(0);
  if (port === null) throw new Error("no free loopback port");
  return port;
}

/**
 * A loopback port free right now, below the range the OS picks port 0's from: free for a server
 * that binds it later, whatever freeLoopbackPort hands out meanwhile.
 */
export async function freeLoopbackPortOutsideTheEphemeralRange(): Promise<number> {
  const range = "/proc/sys/net/ipv4/ip_local_port_range";
  const ephemeralFrom = fs.existsSync(range) ? Number(fs.readFileSync(range, "utf8").trim().split(/\s+/)[0]) : 49_152;
  for (;;) {
    const port = await bindAndRelease(10_000 + Math.floor(Math.random() * (ephemeralFrom - 10_000)));
    if (port !== null) return port;
  }
}
