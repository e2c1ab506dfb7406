import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { createTransport, type Transporter } from 'nodemailer';
import type { Mailer, OutboundMail } from '../../ports.ts';

/**
 * Sends mail through a nodemailer transport, which builds the MIME (Chinese subjects and
 * names, HTML + text alternatives, attachments): SES v2 where AWS has it, SMTP where it does
 * not (the China regions).
 */
export class NodemailerMailer implements Mailer {
  constructor(private readonly transporter: Transporter) {}

  static ses(client: SESv2Client): NodemailerMailer {
    return new NodemailerMailer(createTransport({ SES: { sesClient: client, SendEmailCommand } }));
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

  async send(mail: OutboundMail): Promise<{ messageId: string }> {
    const info = await this.transporter.sendMail({
      from: mail.from,
      to: mail.to,
      ...(mail.replyTo ? { replyTo: mail.replyTo } : {}),
      subject: mail.subject,
      text: mail.text,
      ...(mail.html ? { html: mail.html } : {}),
      ...(mail.messageId ? { messageId: mail.messageId } : {}),
      ...(mail.headers ? { headers: mail.headers } : {}),
      attachments: (mail.attachments ?? []).map((a) => ({
        filename: a.filename,
        content: Buffer.from(a.content),
        contentType: a.contentType,
      })),
    });
    return { messageId: String(info.messageId) };
  }
}
