import { createTransport } from 'nodemailer';
import type { Receiver } from './policy.ts';
import { notificationText, type AlertmanagerNotification } from './notification.ts';

/** A delivery that did not reach its receiver; the message holds no secret of the receiver. */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
}

/** How long one delivery may take: Alertmanager retries one that fails. */
const TIMEOUT_MS = 10_000;

/** Why a request failed, without its URL (which may carry a token, as Slack's do). */
function reason(error: unknown): string {
  const cause = (error as { cause?: { code?: string } }).cause;
  if (cause?.code) return `unreachable (${cause.code})`;
  if ((error as Error).name === 'TimeoutError') return `no answer within ${String(TIMEOUT_MS)} ms`;
  return 'unreachable';
}

async function post(url: string, body: unknown): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    throw new DeliveryError(reason(error));
  }
  await response.body?.cancel();
  if (!response.ok) throw new DeliveryError(`answered ${String(response.status)}`);
}

async function mail(
  receiver: Extract<Receiver, { kind: 'email' }>,
  text: { subject: string; body: string },
): Promise<void> {
  const transport = createTransport({
    url: receiver.smtp,
    connectionTimeout: TIMEOUT_MS,
    greetingTimeout: TIMEOUT_MS,
    socketTimeout: TIMEOUT_MS,
  });
  try {
    await transport.sendMail({
      from: receiver.from,
      to: [...receiver.to],
      subject: text.subject,
      text: text.body,
    });
  } catch (error) {
    const { code, responseCode } = error as { code?: string; responseCode?: number };
    throw new DeliveryError(
      `the mail server refused or was unreachable (${[code, responseCode].filter(Boolean).join(' ') || 'no code'})`,
    );
  } finally {
    transport.close();
  }
}

/**
 * Sends one notification to one receiver: a webhook gets Alertmanager's body as it came, a
 * Slack-compatible webhook `{ text }`, an email the subject and lines. Throws a DeliveryError
 * when the receiver did not take it.
 */
export async function deliver(
  receiver: Receiver,
  notification: AlertmanagerNotification,
  consoleUrl: string,
): Promise<void> {
  const text = notificationText(notification, consoleUrl);
  switch (receiver.kind) {
    case 'webhook':
      return post(receiver.url, notification);
    case 'slack':
      return post(receiver.url, { text: `*${text.subject}*\n${text.body}` });
    case 'email':
      return mail(receiver, text);
  }
}
