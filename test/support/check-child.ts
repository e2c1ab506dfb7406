// A daily check in a process of its own, for the kill -9 test: it runs the real handler against
// the embedded servers (TABLE_NAME, BUCKET_NAME, LINK_KEY and AWS_ENDPOINT_URL_* from the
// environment), appends each send to SEND_LOG, and kills itself with SIGKILL right after SES
// accepted send number KILL_AT: mid-run, with mails accepted and not yet recorded.
import { appendFileSync } from 'node:fs';
import { dailyCheckDeps, makeHandler } from '../../functions/daily-check/handler.ts';
import { silentLogger } from '../../functions/shared/logger.ts';
import type { Mailer, OutboundMail } from '../../functions/shared/ports.ts';
import { createAdapters } from '../../functions/shared/wiring.ts';
import { localContext } from '../../infra/local/http-bridge.ts';

const killAt = Number(process.env.KILL_AT);
const log = process.env.SEND_LOG ?? '';
const adapters = await createAdapters({ logger: silentLogger });
let count = 0;
const mailer: Mailer = {
  async send(mail: OutboundMail) {
    const result = await adapters.mailer.send(mail);
    count += 1;
    appendFileSync(
      log,
      `${JSON.stringify({ to: mail.to, subject: mail.subject, messageId: mail.messageId })}\n`,
    );
    if (count === killAt) process.kill(process.pid, 'SIGKILL');
    return result;
  },
};
await makeHandler({ ...dailyCheckDeps(adapters, 'https://forms.example'), mailer })(
  { scheduledTime: process.env.SCHEDULED_TIME ?? '' },
  localContext('daily-check'),
);
