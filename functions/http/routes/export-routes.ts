import { ARCHIVE_CONTENT_TYPE } from '../../shared/domain/filing/documents-archive.ts';
import { exportDocuments, versionsOption } from '../../shared/domain/filing/documents-export.ts';
import { exportJobFor, openExportFile, requestExport } from '../../shared/domain/filing/export-jobs.ts';
import { htmlResponse } from '../respond.ts';
import type { RouteKey } from '../routes.ts';
import { workspaceBar } from '../workspace/chrome.ts';
import { exportJobPage, exportJobPath } from '../workspace/export-pages.ts';
import { workspaceGet, workspacePost } from '../workspace/session.ts';
import { langOf, type Route, seeOther } from './route-kit.ts';

/** How long the archive's download link lives: it is followed at once, by the redirect. */
const DOWNLOAD_SECONDS = 300;

/**
 * Downloads for supervisors (issue 13): every document in the supervisor's scope as one ZIP.
 *
 * The workspace's buttons ask for it as a job (`domain/filing/export-jobs.ts`), whatever its
 * size: `POST /w/export/jobs` stores the job (once per form) and sends the browser to its page,
 * which reloads itself until the export-jobs function has written the archive, then links to
 * `…/file`: an audited 303 to a five-minute presigned download under the Chinese name.
 *
 * `GET /w/export/documents.zip` still writes the archive inside the request, for links made
 * before the jobs and for scripts: it serves what fits in API Gateway's 30 s (roughly 0.5–1 GB).
 * `?versions=all` puts every version in, not only the current ones.
 */
export const exportRoutes = {
  'GET /w/export/documents.zip': workspaceGet(async (event, deps, supervisor) => {
    const allVersions = versionsOption(event.queryStringParameters?.versions);
    const done = await exportDocuments(deps, supervisor, { allVersions });
    return seeOther(
      await deps.documents.presignGet(done.key, done.fileName, ARCHIVE_CONTENT_TYPE, {
        expiresInSeconds: DOWNLOAD_SECONDS,
        disposition: 'attachment',
      }),
    );
  }),

  'POST /w/export/jobs': workspacePost(async (event, deps, supervisor, form) => {
    const { job } = await requestExport(deps, supervisor, {
      formKey: form.get('exportKey'),
      versions: form.get('versions'),
    });
    return seeOther(exportJobPath(job.id, langOf(event)));
  }),

  'GET /w/export/jobs/{id}': workspaceGet(async (event, deps, supervisor) => {
    const lang = langOf(event);
    const job = await exportJobFor(deps, supervisor, event.pathParameters?.id ?? '');
    return htmlResponse(
      200,
      exportJobPage({ job, bar: workspaceBar(supervisor, lang), timeZone: deps.campaign.timeZone, lang }),
    );
  }),

  'GET /w/export/jobs/{id}/file': workspaceGet(async (event, deps, supervisor) => {
    const file = await openExportFile(deps, supervisor, event.pathParameters?.id ?? '');
    return seeOther(
      await deps.documents.presignGet(file.key, file.fileName, ARCHIVE_CONTENT_TYPE, {
        expiresInSeconds: DOWNLOAD_SECONDS,
        disposition: 'attachment',
      }),
    );
  }),
} satisfies Partial<Record<RouteKey, Route>>;
