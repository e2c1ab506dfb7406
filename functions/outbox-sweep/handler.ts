import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { type NoticeDeps, type SweepReport, sweepOutbox } from '../shared/domain/hazards/hazard-notices.ts';
import type { Logger } from '../shared/logger.ts';
import { hazardNoticeMail } from '../shared/mail/hazard-mail.ts';
import type { InvocationDeps } from '../shared/telemetry.ts';

export interface OutboxSweepDeps extends Omit<NoticeDeps, 'renderNotice'>, InvocationDeps {
  logger: Logger;
}

/**
 * The outbox sweep, every minute (EventBridge Scheduler in AWS, a timer locally): sends every
 * hazard notice still owed, which is what a request could not send after its commit (it died,
 * or the mail server failed). Each send goes through the mail log's claim, so it may run beside
 * requests and other sweeps. Mails left in flight or failed stay owed for the next minute; the
 * invocation succeeds either way (a failure is logged), since the next run is a minute away.
 */
export function makeHandler(deps: OutboxSweepDeps) {
  const notices: NoticeDeps = { ...deps, renderNotice: hazardNoticeMail };
  return middy<unknown, SweepReport, Error, Context>()
    .use([...(deps.middleware ?? [])])
    .handler(async () => {
      const report = await sweepOutbox(notices);
      if (report.found > 0) deps.logger.info('outbox swept', { ...report });
      return report;
    });
}
