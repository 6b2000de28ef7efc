/**
 * The receivers a notification test sends to, as a process of their own: an HTTP server that
 * records every body posted to it (webhooks and Slack-compatible webhooks, by path) and a real
 * SMTP server on loopback (smtp-server, the protocol spoken in full) that records every mail.
 * Prints `{"listening":<http port>}` once both listen; `GET /received` answers what came in and
 * the SMTP port.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

interface Received {
  webhooks: { path: string; body: unknown }[];
  mails: { from: string; to: string[]; message: string }[];
}
const received: Received = { webhooks: [], mails: [] };

const smtp = new SMTPServer({
  secure: false,
  // Loopback only, and no credentials: a mail server of the test, not a relay.
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onData(stream, session, callback) {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      received.mails.push({
        from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
        to: session.envelope.rcptTo.map((r) => r.address),
        message: Buffer.concat(chunks).toString('utf8'),
      });
      callback();
    });
  },
});

const http = createServer((request, response) => {
  let body = '';
  request.on('data', (chunk: Buffer) => (body += chunk.toString()));
  request.on('end', () => {
    response.setHeader('content-type', 'application/json');
    if (request.method === 'GET' && request.url === '/received') {
      const smtpPort = (smtp.server.address() as AddressInfo).port;
      response.end(JSON.stringify({ ...received, smtpPort }));
      return;
    }
    received.webhooks.push({ path: request.url ?? '', body: JSON.parse(body || 'null') });
    response.end('{}');
  });
});

smtp.listen(0, '127.0.0.1', () => {
  http.listen(0, '127.0.0.1', () => {
    process.stdout.write(
      `${JSON.stringify({ listening: (http.address() as AddressInfo).port })}\n`,
    );
  });
});
process.once('SIGTERM', () => {
  http.close();
  smtp.close(() => process.exit(0));
});
