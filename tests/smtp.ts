import type { AddressInfo } from "node:net";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll } from "vitest";
import { createMailer, type Mailer } from "~/server/platform/mail";

/**
 * A real SMTP server on a loopback port that keeps every message it takes, parsed. Recipients at
 * `@reject.example` are refused for good (550), as a server refuses a mailbox that does not exist;
 * those at `@later.example` for now (451), as a server does that is busy, until `later.accept()`.
 * With `takeOnly`, it takes that many messages and then leaves every later one unanswered, never
 * taken, as a server does that is slow to answer.
 */
export async function startSmtpServer({ takeOnly = Infinity } = {}) {
  const received: ParsedMail[] = [];
  let taking = 0;
  let acceptLater = false;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    closeTimeout: 100, // the mailer keeps its pooled connections open: do not wait for them at the end
    logger: false,
    onRcptTo(address, _session, callback) {
      if (address.address.endsWith("@reject.example")) return callback(Object.assign(new Error("No such mailbox"), { responseCode: 550 }));
      if (address.address.endsWith("@later.example") && !acceptLater) return callback(Object.assign(new Error("Busy, try later"), { responseCode: 451 }));
      callback();
    },
    onData(stream, _session, callback) {
      if (taking++ >= takeOnly) return void stream.resume();
      simpleParser(stream).then((mail) => {
        received.push(mail);
        callback();
      }, callback);
    },
  });
  // A client gone mid-message (a worker killed on purpose) is an error event of the server's; a real
  // server goes on, and so does this one. Any other error still fails the run.
  server.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "ECONNRESET" && error.code !== "EPIPE") throw error;
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    received,
    later: { accept: () => void (acceptLater = true) },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** One SMTP server for a test file, started before its tests and closed after them, and the app's mailer on it. */
export function smtpForFile() {
  const file = {} as { smtp: Awaited<ReturnType<typeof startSmtpServer>>; mailer: Mailer };
  beforeAll(async () => {
    file.smtp = await startSmtpServer();
    file.mailer = createMailer(file.smtp.url)!;
  });
  afterAll(() => file.smtp.close());
  return file;
}
