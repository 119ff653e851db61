/**
 * @overview E-mail over SMTP with nodemailer. The SMTP URL carries the server's credential, so no
 * message this file throws or logs names it, the server's answer or the mail: only the error's code
 * and the SMTP reply code.
 * @see https://www.rfc-editor.org/rfc/rfc5321
 */
import { createTransport } from 'nodemailer';

export interface MailSettings {
  /** `smtp://user:password@host:587` or `smtps://…`. */
  smtpUrl: string;
  from: string;
  timeoutMs: number;
}

export interface Mail {
  to: string;
  subject: string;
  text: string;
  /** The Message-ID (RFC 5322 §3.6.4), stable across retries so a receiving system can tell a resend. */
  messageId: string;
}

/** A message the SMTP server did not accept; the message names the cause only. */
export class MailSendError extends Error {
  override readonly name = 'MailSendError';
}

/** Sends mail through one SMTP server; `close()` ends its connections. */
export class Mailer {
  private readonly transport;

  constructor(private readonly settings: MailSettings) {
    this.transport = createTransport({
      url: settings.smtpUrl,
      connectionTimeout: settings.timeoutMs,
      greetingTimeout: settings.timeoutMs,
      socketTimeout: settings.timeoutMs,
      logger: false,
    });
  }

  /** Resolves once the server accepted the message for every recipient, else throws {@link MailSendError}. */
  async send(mail: Mail): Promise<void> {
    try {
      const info = await this.transport.sendMail({ from: this.settings.from, to: mail.to, subject: mail.subject, text: mail.text, messageId: mail.messageId });
      if (info.rejected.length > 0) {
        throw new MailSendError('the SMTP server refused the recipient');
      }
    } catch (error) {
      if (error instanceof MailSendError) {
        throw error;
      }
      const { code, responseCode } = (error ?? {}) as { code?: unknown; responseCode?: unknown };
      const reply = typeof responseCode === 'number' ? ` (SMTP ${responseCode})` : '';
      throw new MailSendError(`the SMTP server did not take the message: ${typeof code === 'string' ? code : 'send failed'}${reply}`);
    }
  }

  close(): void {
    this.transport.close();
  }
}
