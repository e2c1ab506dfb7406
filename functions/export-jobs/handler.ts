import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import {
  type ExportRunDeps,
  type ExportRunReport,
  runExportJobs,
} from '../shared/domain/filing/export-jobs.ts';
import type { InvocationDeps } from '../shared/telemetry.ts';

export interface ExportJobsDeps extends ExportRunDeps, InvocationDeps {}

/**
 * The export-jobs function, every minute (EventBridge Scheduler in AWS, a timer locally): writes
 * the supervisors' documents archives asked for in the workspace (`domain/filing/export-jobs.ts`).
 * Each job is claimed under a lease, so runs may overlap: a run still writing a large archive
 * when the next minute comes keeps its job, and the new run takes the next one. A run starts no
 * job after its first five minutes, so a job started has at least ten of the function's fifteen.
 * The invocation succeeds whatever became of the jobs (each failure is kept on its job and
 * logged); it fails only when the table cannot be read, and the next minute runs again.
 */
export function makeHandler(deps: ExportJobsDeps) {
  return middy<unknown, ExportRunReport, Error, Context>()
    .use([...(deps.middleware ?? [])])
    .handler(async (_event, context) => {
      const startedWith = context.getRemainingTimeInMillis();
      const report = await runExportJobs(deps, {
        elapsedMs: () => startedWith - context.getRemainingTimeInMillis(),
      });
      if (report.found > 0) deps.logger.info('export jobs', { ...report });
      return report;
    });
}
