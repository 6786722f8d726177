import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One message the test SMTP server accepted. */
export interface ReceivedEmail {
  /** Envelope recipients. */
  to: string[];
  /** Envelope sender. */
  from: string;
  subject: string;
  messageId: string;
  /** The body, decoded when it was sent quoted-printable (single-part text messages). */
  text: string;
  raw: string;
  receivedAt: Date;
}

export interface SmtpTestServer {
  /** `smtp://127.0.0.1:<port>`: what SMTP_URL is set to. */
  url: string;
  received: ReceivedEmail[];
  /** While true, every message is refused with a temporary failure (451). */
  refuse: boolean;
  /** Resolves with the first received email matching `match`, waiting up to `timeoutMs`. */
  waitFor(match: (email: ReceivedEmail) => boolean, timeoutMs?: number): Promise<ReceivedEmail>;
  close(): Promise<void>;
}

const header = (head: string, name: string) =>
  new RegExp(`^${name}:\\s*(.*(?:\\r?\\n[ \\t].*)*)`, 'im')
    .exec(head)?.[1]
    ?.replace(/\r?\n[ \t]/g, ' ')
    .trim() ?? '';

/** Quoted-printable (RFC 2045) to text: soft line breaks joined, `=XX` bytes read as UTF-8. */
const decodeQuotedPrintable = (body: string) =>
  Buffer.from(
    body
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/gi, (_, hex: string) =>
        String.fromCharCode(Number.parseInt(hex, 16)),
      ),
    'latin1',
  ).toString('utf8');

/**
 * A real SMTP server (the smtp-server package) on 127.0.0.1, port 0, for tests: no TLS, no
 * authentication; it keeps every message it accepts.
 *
 * @example
 * const smtp = await startSmtpTestServer();
 * const services = await createTestServices({ SMTP_URL: smtp.url });
 * const email = await smtp.waitFor((e) => e.to.includes(user.email));
 * await smtp.close();
 */
export async function startSmtpTestServer(): Promise<SmtpTestServer> {
  const received: ReceivedEmail[] = [];
  const waiters = new Set<() => void>();
  const state: SmtpTestServer = {
    url: '',
    received,
    refuse: false,
    waitFor(match, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const email = received.find(match);
          if (!email) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(email);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching email within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (state.refuse) {
          const error = Object.assign(new Error('try again later'), { responseCode: 451 });
          callback(error);
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const split = raw.search(/\r?\n\r?\n/);
        const head = split === -1 ? raw : raw.slice(0, split);
        const body = split === -1 ? '' : raw.slice(split).replace(/^\r?\n\r?\n/, '');
        const from = session.envelope.mailFrom;
        received.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          from: from ? from.address : '',
          subject: header(head, 'Subject'),
          messageId: header(head, 'Message-ID'),
          text: (/quoted-printable/i.test(header(head, 'Content-Transfer-Encoding'))
            ? decodeQuotedPrintable(body)
            : body
          ).replace(/\r\n/g, '\n'),
          raw,
          receivedAt: new Date(),
        });
        callback();
        for (const waiter of [...waiters]) waiter();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  state.url = `smtp://127.0.0.1:${port}`;
  return state;
}
