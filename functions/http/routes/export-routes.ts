import { ARCHIVE_CONTENT_TYPE } from '../../shared/domain/filing/documents-archive.ts';
import { exportDocuments, versionsOption } from '../../shared/domain/filing/documents-export.ts';
import type { RouteKey } from '../routes.ts';
import { workspaceGet } from '../workspace/session.ts';
import { type Route, seeOther } from './route-kit.ts';

/** How long the archive's download link lives: it is followed at once, by the redirect. */
const DOWNLOAD_SECONDS = 300;

/**
 * Downloads for supervisors (issue 13). Every document in the supervisor's scope as one ZIP, a
 * plain GET link: the archive is streamed to `exports/` (see `documents-export.ts`), then the
 * browser is sent (303) to a five-minute presigned download that saves it under its Chinese name.
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
} satisfies Partial<Record<RouteKey, Route>>;
