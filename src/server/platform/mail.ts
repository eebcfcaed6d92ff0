import nodemailer from "nodemailer";
import { mailConfig } from "~/server/platform/config";

export interface Mail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Extra headers (List-Unsubscribe…); and the Message-ID, so that a message sent twice is one to the recipient's system. */
  headers?: Record<string, string>;
  messageId?: string;
}

/** How many messages go to the SMTP server at once, each on a pooled connection of its own. */
export const MAIL_CONNECTIONS = 5;

/** Sends one message; resolves once the SMTP server has taken it. */
export type Mailer = (mail: Mail) => Promise<void>;

/** A mailer on an SMTP server (nodemailer); none without SMTP_URL (reminders then stay in the app). */
export function createMailer(url: string | undefined = mailConfig.SMTP_URL, from = mailConfig.MAIL_FROM): Mailer | null {
  if (!url) return null;
  // A pool of connections, kept open between messages: a batch of reminders is not a connection each.
  // Limits well inside the transaction that holds a reminder's row while it is sent (2 minutes).
  const transport = nodemailer.createTransport({ url, pool: true, maxConnections: MAIL_CONNECTIONS, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000, dnsTimeout: 5_000 });
  return async ({ headers, messageId, ...mail }) => {
    await transport.sendMail({ from, ...mail, headers, messageId });
  };
}

/** Text made safe to put in an email's HTML. */
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
