import { dispositionFor } from '../../shared/domain/filing/file-types.ts';
import { endSession } from '../../shared/domain/links/sessions.ts';
import {
  openSupervisedVersion,
  supervisedUnit,
  viewSupervisedUnit,
} from '../../shared/domain/links/supervision-scope.ts';
import { html, layout } from '../../shared/web/html.ts';
import { t } from '../pages.ts';
import { htmlResponse, redirect } from '../respond.ts';
import type { RouteKey } from '../routes.ts';
import { WORKSPACE } from '../workspace/chrome.ts';
import {
  clearedSessionCookie,
  enterWorkspace,
  sessionIdOf,
  workspaceGet,
  workspacePost,
} from '../workspace/session.ts';
import { supervisedUnitResponse } from './review-routes.ts';
import { type Event, langOf, type Route, seeOther } from './route-kit.ts';

const english = (event: Event) => (event.queryStringParameters?.lang === 'en' ? 'lang=en' : '');
const withQuery = (path: string, ...parts: string[]) => {
  const query = parts.filter((p) => p !== '').join('&');
  return query ? `${path}?${query}` : path;
};

/**
 * The supervisors' workspace (issue 13): entered from the city office's or a district bureau's
 * own link, or a named reviewer's, then carried by a session cookie. The form-link paths a bureau's
 * own page links to (`/f/{token}/units…`) enter the workspace at the same place.
 */
export const workspaceRoutes = {
  'GET /f/{token}/workspace': {
    format: 'html',
    handle: (event, deps) => enterWorkspace(event, deps, event.queryStringParameters?.next),
  },

  'GET /r/{token}': {
    format: 'html',
    handle: (event, deps) => enterWorkspace(event, deps, event.queryStringParameters?.next),
  },

  'GET /f/{token}/units': {
    format: 'html',
    handle: (event, deps) =>
      enterWorkspace(
        event,
        deps,
        withQuery(
          `${WORKSPACE}/units`,
          `code=${encodeURIComponent(event.queryStringParameters?.code ?? '')}`,
          english(event),
        ),
      ),
  },

  'GET /f/{token}/units/{unit}': {
    format: 'html',
    handle: (event, deps) =>
      enterWorkspace(
        event,
        deps,
        withQuery(
          `${WORKSPACE}/units/${encodeURIComponent(event.pathParameters?.unit ?? '')}`,
          english(event),
        ),
      ),
  },

  'POST /w/sign-out': workspacePost(async (event, deps) => {
    await endSession(deps, sessionIdOf(event));
    const lang = langOf(event);
    const body = html`<h1>${t(lang, '已退出督查工作台', 'Signed out of the workspace')}</h1>
<p>${t(lang, '再次进入请打开您的专属链接。', 'To come back, open your personal link again.')}</p>`;
    return {
      ...htmlResponse(200, layout({ lang, title: t(lang, '已退出', 'Signed out'), body })),
      cookies: [clearedSessionCookie(event)],
    };
  }),

  'GET /w/units': workspaceGet(async (event, deps, supervisor) => {
    const code = (event.queryStringParameters?.code ?? '').trim().toUpperCase();
    const unit = await supervisedUnit(deps, supervisor.body, code);
    return seeOther(withQuery(`${WORKSPACE}/units/${unit.code}`, english(event)));
  }),

  'GET /w/units/{unit}': workspaceGet(async (event, deps, supervisor) =>
    supervisedUnitResponse(
      event,
      deps,
      supervisor,
      await viewSupervisedUnit(deps, supervisor, event.pathParameters?.unit ?? ''),
    ),
  ),

  'GET /w/units/{unit}/files/{deliverable}/{version}': workspaceGet(async (event, deps, supervisor) => {
    const version = await openSupervisedVersion(
      deps,
      supervisor,
      event.pathParameters?.unit ?? '',
      event.pathParameters?.deliverable ?? '',
      event.pathParameters?.version ?? '',
    );
    return redirect(
      await deps.documents.presignGet(version.fileKey, version.displayName, version.contentType, {
        disposition: dispositionFor(version.contentType),
      }),
    );
  }),
} satisfies Partial<Record<RouteKey, Route>>;
