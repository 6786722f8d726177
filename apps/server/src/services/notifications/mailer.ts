import nodemailer from 'nodemailer';
import type { Logger } from '../../logger.js';

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  /** A stable Message-ID (`<id@host>`), so a receiver can tell a resend from a new email. */
  messageId?: string;
}

/** How an email left: through SMTP, or only into the log (no SMTP_URL configured). */
export type EmailOutcome = 'sent' | 'logged';

export interface Mailer {
  /** Sends `email`; rejects when the SMTP server refuses it or cannot be reached. */
  send(email: OutgoingEmail): Promise<EmailOutcome>;
  close(): void;
}

/** Bounded waits, so a stuck SMTP server fails the job (which retries) instead of hanging it. */
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

/**
 * Email through nodemailer's SMTP transport when `smtpUrl` is set (`smtp://user:pass@host:587`
 * upgrades with STARTTLS when offered, `smtps://host:465` is TLS from the start); without it
 * each email is written to the log (recipient and subject at info, the text at debug) and
 * reported as 'logged', so nothing is silently dropped in development.
 *
 * @example
 * const mailer = createMailer({ smtpUrl: env.SMTP_URL, from: env.EMAIL_FROM, logger });
 * await mailer.send({ to: 'ada@example.com', subject: 'Hi', text: 'Hello' }); // 'sent'
 */
export function createMailer(input: { smtpUrl?: string; from: string; logger: Logger }): Mailer {
  const log = input.logger.child({ component: 'mailer' });
  if (!input.smtpUrl) {
    return {
      async send(email) {
        log.info({ to: email.to, subject: email.subject }, 'email not sent (no SMTP_URL): logged');
        log.debug({ to: email.to, text: email.text }, 'email text');
        return 'logged';
      },
      close() {},
    };
  }
  const transport = nodemailer.createTransport(
    { url: input.smtpUrl, ...SMTP_TIMEOUTS },
    { from: input.from },
  );
  return {
    async send(email) {
      const info = await transport.sendMail(email);
      log.info({ to: email.to, subject: email.subject, messageId: info.messageId }, 'email sent');
      return 'sent';
    },
    close() {
      transport.close();
    },
  };
}
