import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { createTransport, type Transporter } from 'nodemailer';
import { RecipientsRefusedError } from '../../domain/delivery/mail-bounces.ts';
import type { Mailer, OutboundMail, RefusedRecipient } from '../../ports.ts';

/** nodemailer's per-recipient SMTP errors (`rejectedErrors`, on the error or the result). */
interface RecipientError {
  recipient?: unknown;
  responseCode?: unknown;
  response?: unknown;
}

/** The recipients an SMTP server refused for good (5xx); a deferral (4xx) is no bounce. */
export function refusedRecipients(source: unknown): RefusedRecipient[] {
  const errors = (source as { rejectedErrors?: unknown } | null)?.rejectedErrors;
  if (!Array.isArray(errors)) return [];
  return (errors as RecipientError[]).flatMap((e) =>
    typeof e.recipient === 'string' && typeof e.responseCode === 'number' && e.responseCode >= 500
      ? [{ address: e.recipient, code: e.responseCode, response: String(e.response ?? '') }]
      : [],
  );
}

/**
 * Sends mail through a nodemailer transport, which builds the MIME (Chinese subjects and
 * names, HTML + text alternatives, attachments): SES v2 where AWS has it, SMTP where it does
 * not (the China regions).
 */
export class NodemailerMailer implements Mailer {
  constructor(
    private readonly transporter: Transporter,
    /** Added to each SES SendEmail request (the configuration set that publishes bounces). */
    private readonly sesRequest?: { ConfigurationSetName: string },
  ) {}

  /** `configurationSet`: the SES configuration set whose event destination reports bounces and complaints. */
  static ses(client: SESv2Client, options: { configurationSet?: string } = {}): NodemailerMailer {
    return new NodemailerMailer(
      createTransport({ SES: { sesClient: client, SendEmailCommand } }),
      options.configurationSet ? { ConfigurationSetName: options.configurationSet } : undefined,
    );
  }

  /**
   * SMTP with STARTTLS required unless `secure` (implicit TLS, usually port 465) is set. `ca`
   * trusts a private relay's certificate authority (PEM); certificates are always verified.
   */
  static smtp(options: {
    host: string;
    port: number;
    secure: boolean;
    auth?: { user: string; pass: string };
    ca?: string;
  }): NodemailerMailer {
    return new NodemailerMailer(
      createTransport({
        host: options.host,
        port: options.port,
        secure: options.secure,
        requireTLS: !options.secure,
        ...(options.auth ? { auth: options.auth } : {}),
        ...(options.ca ? { tls: { ca: options.ca } } : {}),
      }),
    );
  }

  /** A recipient refused for good is reported (`refused`, or `RecipientsRefusedError` when all were). */
  async send(mail: OutboundMail): Promise<{ messageId: string; refused?: RefusedRecipient[] }> {
    const info = await this.transporter
      .sendMail({
        from: mail.from,
        to: mail.to,
        ...(mail.replyTo ? { replyTo: mail.replyTo } : {}),
        subject: mail.subject,
        text: mail.text,
        ...(mail.html ? { html: mail.html } : {}),
        ...(mail.messageId ? { messageId: mail.messageId } : {}),
        ...(mail.headers ? { headers: mail.headers } : {}),
        ...(this.sesRequest ? { ses: this.sesRequest } : {}),
        attachments: (mail.attachments ?? []).map((a) => ({
          filename: a.filename,
          content: Buffer.from(a.content),
          contentType: a.contentType,
        })),
      })
      .catch((error: unknown) => {
        const refused = refusedRecipients(error);
        throw refused.length > 0 ? new RecipientsRefusedError(refused, { cause: error }) : error;
      });
    const refused = refusedRecipients(info);
    return { messageId: String(info.messageId), ...(refused.length > 0 ? { refused } : {}) };
  }
}
