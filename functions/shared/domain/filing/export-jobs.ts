import { createHash, randomUUID } from 'node:crypto';
import type { ExportJob } from '../../../../schemas/records.ts';
import { type Bilingual, truncated } from '../../../../schemas/validation.ts';
import type { Logger } from '../../logger.ts';
import type { AuditLog, ExportJobRepository, UnitRepository } from '../../ports.ts';
import { DomainError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import { isSupervisingBody } from '../links/sessions.ts';
import { archiveContents } from './documents-archive.ts';
import {
  type ExportDocumentsDeps,
  type Exporter,
  exportedEvent,
  loadDocumentsArchive,
  NOT_A_SUPERVISOR,
  versionsOption,
} from './documents-export.ts';

/**
 * The supervisors' documents ZIP as a job (issue 13): asked for by a form in the workspace,
 * written by the export-jobs function (scheduled every minute, up to 15 minutes a run), then
 * downloaded from the job's page. A province's archive takes minutes, past what an HTTP request
 * may wait (API Gateway: 30 s).
 *
 * - Asking: the job's id is derived from who asks, the form's one-time key and the versions asked
 *   for, and the job is stored only if absent, with its audit event in the same transaction: a
 *   double click or a form posted again is one job, and one `supervisor-requested-export` event.
 * - Running: a run claims a waiting job under a lease (real time, renewed while it writes), so two
 *   runs never both work one job, and a run that died is taken over once its lease ran out. The
 *   archive is written by the streaming writer; the job becomes `done` (with the
 *   `supervisor-exported-documents` event, in one transaction) only while the run still holds it.
 *   A run that fails releases it for the next; after `MAX_ATTEMPTS` claims it is `failed`, with
 *   the reason in both languages. A done or failed job is never run again.
 * - Reading: only the supervisor who asked (the same body, the same person) sees the job; anyone
 *   else gets the same 404 as for a job that does not exist.
 */
export const MAX_ATTEMPTS = 3;

/** A run starts no new job after this long, and leaves the rest to the next minute's run. */
export const START_WITHIN_MS = 5 * 60_000;

const JOB_ID = /^[0-9a-f]{32}$/;
const FORM_KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A fresh one-time key for an export form: each page the form is on carries its own. */
export function newExportFormKey(): string {
  return randomUUID();
}

/** The job a form asks for: the same asker, form and versions always give the same id. */
export function exportJobId(exporter: Exporter, formKey: string, allVersions: boolean): string {
  return createHash('sha256')
    .update([exporter.actor, exporter.body.code, formKey, allVersions ? 'all' : 'current'].join('\n'))
    .digest('hex')
    .slice(0, 32);
}

export interface ExportJobDeps {
  clock: ExportDocumentsDeps['clock'];
  exportJobs: ExportJobRepository;
}

/**
 * Stores the job a posted form asks for, or finds the one it asked for before. Only the city office
 * and the district bureaus (their own links or their reviewers) may ask.
 */
export async function requestExport(
  deps: ExportJobDeps,
  exporter: Exporter,
  form: { formKey?: string | null; versions?: string | null },
): Promise<{ job: ExportJob; created: boolean }> {
  if (!isSupervisingBody(exporter.body)) throw new ForbiddenError(NOT_A_SUPERVISOR);
  const allVersions = versionsOption(form.versions ?? undefined);
  const formKey = form.formKey ?? '';
  if (!FORM_KEY.test(formKey))
    throw new ValidationError([
      {
        path: 'exportKey',
        value: truncated(formKey),
        code: 'form-key',
        zh: '表单缺少一次性编号（exportKey），可能来自旧页面；请刷新页面后重新提交',
        en: 'the form lacks its one-time key (exportKey), perhaps from an old page; reload the page and submit again',
      },
    ]);
  const now = deps.clock.now().toISOString();
  const job: ExportJob = {
    id: exportJobId(exporter, formKey, allVersions),
    bodyCode: exporter.body.code,
    actor: exporter.actor,
    allVersions,
    requestedAt: now,
    status: 'pending',
    attempts: 0,
  };
  const outcome = await deps.exportJobs.create(job, {
    at: now,
    actor: exporter.actor,
    action: 'supervisor-requested-export',
    subject: exporter.body.code,
    detail: { job: job.id, allVersions },
  });
  if (outcome === 'created') return { job, created: true };
  const earlier = await deps.exportJobs.get(job.id);
  if (!earlier) throw new Error(`export job ${job.id} was refused as a duplicate but cannot be read`);
  return { job: earlier, created: false };
}

const NO_SUCH_JOB = { zh: '没有这个导出任务，或不是您发起的', en: 'No such export of yours' };

/** The job `id` names, if `viewer` asked for it; otherwise the same 404 whatever the reason. */
export async function exportJobFor(
  deps: Pick<ExportJobDeps, 'exportJobs'>,
  viewer: Exporter,
  id: string,
): Promise<ExportJob> {
  const job = JOB_ID.test(id) ? await deps.exportJobs.get(id) : null;
  if (!job || job.actor !== viewer.actor || job.bodyCode !== viewer.body.code)
    throw new NotFoundError(NO_SUCH_JOB);
  return job;
}

/**
 * The archive of a done job, for its download, once the download is on the audit log
 * (`supervisor-downloaded-export`). A job not done yet has no file: 404 with where it stands.
 */
export async function openExportFile(
  deps: Pick<ExportJobDeps, 'exportJobs' | 'clock'> & { audit: Pick<AuditLog, 'append'> },
  viewer: Exporter,
  id: string,
): Promise<NonNullable<ExportJob['result']>> {
  const job = await exportJobFor(deps, viewer, id);
  if (job.status !== 'done' || !job.result)
    throw new NotFoundError({
      zh: '压缩包还没有生成好，请回到任务页面等待',
      en: 'The archive is not ready yet; wait on the export page',
    });
  await deps.audit.append({
    at: deps.clock.now().toISOString(),
    actor: viewer.actor,
    action: 'supervisor-downloaded-export',
    subject: job.bodyCode,
    detail: { job: job.id, key: job.result.key, size: job.result.size },
  });
  return job.result;
}

export const EXPORT_FAILED: Bilingual = {
  zh: '生成压缩包时出错',
  en: 'Writing the archive failed',
};

function interrupted(attempts: number, last: Bilingual | undefined): Bilingual {
  return {
    zh: `导出已中断 ${attempts} 次（可能超过了 15 分钟的运行时限），已停止重试${last ? `；最后一次的原因：${last.zh}` : ''}。请缩小范围（只导出当前版本）或联系管理员。`,
    en: `The export was interrupted ${attempts} times (perhaps past the 15-minute limit of a run) and is not tried again${last ? `; the last reason: ${last.en}` : ''}. Export fewer files (current versions only) or ask the administrator.`,
  };
}

function gaveUp(attempts: number, reason: Bilingual): Bilingual {
  return {
    zh: `${reason.zh}，已尝试 ${attempts} 次，不再重试。请重新发起导出，或联系管理员。`,
    en: `${reason.en}; tried ${attempts} times, not tried again. Ask for the export again, or ask the administrator.`,
  };
}

export interface ExportRunDeps extends Omit<ExportDocumentsDeps, 'units'>, ExportJobDeps {
  /** The asking body is read again when its job runs: it may have left the roster meanwhile. */
  units: Pick<UnitRepository, 'all' | 'list' | 'get'>;
  logger: Logger;
}

/** What became of one job a run claimed. `lost`: another run took it over meanwhile. */
export type ExportOutcome = 'done' | 'failed' | 'released' | 'lost';

export interface ExportRunReport {
  /** Jobs found waiting (pending, or running under another run's lease). */
  found: number;
  ran: { id: string; outcome: ExportOutcome }[];
}

/**
 * One run: reads the waiting jobs oldest first and works each it can claim, one after another,
 * until none is left or it has run `startWithinMs` (then the next minute's run goes on). `holder`
 * names this run in the leases; `elapsedMs` is how long it has run.
 */
export async function runExportJobs(
  deps: ExportRunDeps,
  options: { holder?: string; elapsedMs: () => number; startWithinMs?: number },
): Promise<ExportRunReport> {
  const holder = options.holder ?? randomUUID();
  const report: ExportRunReport = { found: 0, ran: [] };
  const seen = new Set<string>();
  while (options.elapsedMs() < (options.startWithinMs ?? START_WITHIN_MS)) {
    const claimed = await claimNext(deps, holder, seen);
    report.found = seen.size;
    if (!claimed) break;
    report.ran.push({ id: claimed.id, outcome: await runClaimed(deps, claimed, holder) });
  }
  return report;
}

/**
 * The oldest waiting job this run has not tried yet that it can claim, page by page (jobs held
 * by other runs are passed over); null when there is none. Each job is tried once per run.
 */
async function claimNext(deps: ExportRunDeps, holder: string, seen: Set<string>): Promise<ExportJob | null> {
  let cursor: string | undefined;
  do {
    const page = await deps.exportJobs.waiting({ limit: 25, ...(cursor ? { cursor } : {}) });
    for (const job of page.items) {
      if (seen.has(job.id)) continue;
      seen.add(job.id);
      const claimed = await deps.exportJobs.claim(job.id, holder, deps.clock.now());
      if (claimed) return claimed;
    }
    cursor = page.cursor;
  } while (cursor);
  return null;
}

/**
 * Works one job this run has claimed: writes the archive while renewing the lease, then marks it
 * done, or releases or fails it. Every write after the claim is conditional on the lease, so a
 * run that lost it (paused past it, taken over) changes nothing; its archive is an orphan under
 * `exports/` that the bucket expires.
 */
export async function runClaimed(
  deps: ExportRunDeps,
  job: ExportJob,
  holder: string,
): Promise<ExportOutcome> {
  const log = { job: job.id, attempt: job.attempts };
  if (job.attempts > MAX_ATTEMPTS) {
    deps.logger.warn('export job: interrupted too often, given up', log);
    const failed = await deps.exportJobs.fail(
      job.id,
      holder,
      interrupted(job.attempts - 1, job.error),
      deps.clock.now(),
    );
    return failed ? 'failed' : 'lost';
  }
  let lost = false;
  const beat = setInterval(() => {
    deps.exportJobs.renew(job.id, holder).then(
      (held) => {
        if (!held) lost = true;
      },
      (error: unknown) => deps.logger.error('export job: lease renewal failed', { ...log, error }),
    );
  }, deps.exportJobs.leaseMs / 3);
  beat.unref();
  try {
    const body = await deps.units.get(job.bodyCode);
    if (!body || !isSupervisingBody(body) || body.withdrawnAt) throw new ForbiddenError(NOT_A_SUPERVISOR);
    const exporter = { body, actor: job.actor };
    const archive = await loadDocumentsArchive(deps, body, { allVersions: job.allVersions });
    const stored = await deps.archives.write(archiveContents(archive, deps.clock.now()));
    if (lost) return 'lost';
    const now = deps.clock.now();
    const done = await deps.exportJobs.finish(
      job.id,
      holder,
      { key: stored.key, fileName: archive.fileName, size: stored.size, count: archive.entries.length },
      now,
      exportedEvent(exporter, archive, stored, now, job.id),
    );
    if (done)
      deps.logger.info('export job done', { ...log, size: stored.size, count: archive.entries.length });
    return done ? 'done' : 'lost';
  } catch (error) {
    // A refusal of ours (no longer a supervisor) will not change on a retry; anything else may.
    const refusal = error instanceof DomainError && error.status < 500 ? error : null;
    deps.logger.error('export job failed', { ...log, error });
    const reason: Bilingual = refusal ? { zh: refusal.zh, en: refusal.en } : EXPORT_FAILED;
    if (refusal || job.attempts >= MAX_ATTEMPTS) {
      const failed = await deps.exportJobs.fail(
        job.id,
        holder,
        refusal ? reason : gaveUp(job.attempts, reason),
        deps.clock.now(),
      );
      return failed ? 'failed' : 'lost';
    }
    return (await deps.exportJobs.release(job.id, holder, reason)) ? 'released' : 'lost';
  } finally {
    clearInterval(beat);
  }
}
