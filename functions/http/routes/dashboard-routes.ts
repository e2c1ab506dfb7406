import { fileSpool } from '../../shared/adapters/fs/ledger-spool.ts';
import { NotFoundError } from '../../shared/domain/errors.ts';
import { contentDisposition } from '../../shared/domain/filing/file-names.ts';
import { XLSX_CONTENT_TYPE } from '../../shared/domain/filing/file-types.ts';
import {
  buildDashboard,
  openMajors,
  parseDashboardQuery,
  scopeOfBody,
} from '../../shared/domain/report/dashboard.ts';
import { buildDigest } from '../../shared/domain/report/digest.ts';
import { scopeKey } from '../../shared/domain/report/hazard-pass.ts';
import { campaignInstant } from '../../shared/domain/report/instant.ts';
import {
  ledgerInstant,
  loadFilteredSnapshot,
  readersAsOf,
} from '../../shared/domain/report/ledger-export.ts';
import type { DigestScope } from '../../shared/domain/report/model.ts';
import { loadSnapshot } from '../../shared/domain/report/snapshot.ts';
import { type HttpResult, htmlResponse, redirect } from '../respond.ts';
import type { RouteKey } from '../routes.ts';
import { workspaceBar } from '../workspace/chrome.ts';
import { dashboardPage } from '../workspace/dashboard-page.ts';
import { type Supervisor, workspaceGet } from '../workspace/session.ts';
import { type Event, type HttpDeps, langOf, type Route } from './route-kit.ts';

/**
 * The dashboard's routes: `GET /w` (the page) and `GET /w/ledger.xlsx` (the ledger as filtered,
 * now or at a past instant). Both read the whole campaign through `loadSnapshot`, Query only, at
 * the request's instant, and show the supervising body's scope: the city office the whole city,
 * a district bureau its own district (the digest's `DigestScope`). At city scale that is one read
 * of a few seconds; the province-scale target (≤ 1 s, first page only) needs per-scope summary
 * items and is not done here.
 */

/** Who looks: the supervising body, the named reviewer acting for it (or null), and the audit trail's name. */
export type DashboardViewer = Pick<Supervisor, 'body' | 'reviewer' | 'actor'> &
  Partial<Pick<Supervisor, 'csrfToken'>>;

/** A ledger up to this size is answered inline (base64 inflates it to ~5.3 MB, under Lambda's 6 MB). */
export const INLINE_LEDGER_BYTES = 4 * 1024 * 1024;

function scopeOf(viewer: DashboardViewer): DigestScope {
  const scope = scopeOfBody(viewer.body);
  // Sessions open only for the office and the bureaus; anything else sees nothing at all.
  if (!scope) throw new NotFoundError({ zh: '页面不存在', en: 'Page not found' });
  return scope;
}

function viewerName(viewer: DashboardViewer): string {
  return viewer.reviewer ? `${viewer.reviewer.name}（${viewer.body.name}）` : viewer.body.name;
}

/** `GET /w`: the dashboard of the viewer's scope at the clock's instant. */
export async function dashboardRoute(
  event: Event,
  deps: HttpDeps,
  viewer: DashboardViewer,
): Promise<HttpResult> {
  const scope = scopeOf(viewer);
  const query = parseDashboardQuery(event.queryStringParameters ?? {}, deps.campaign, scope);
  const instant = campaignInstant(deps.campaign, deps.clock.now());
  const spool = await fileSpool();
  try {
    const snapshot = await loadSnapshot(deps.campaign, deps, instant, spool);
    const view = buildDashboard(snapshot, scope, query, await openMajors(spool, scope));
    return htmlResponse(
      200,
      dashboardPage({
        campaign: deps.campaign,
        view,
        lang: langOf(event),
        selfCode: viewer.body.code,
        viewerName: viewerName(viewer),
        ...(viewer.csrfToken !== undefined
          ? { bar: workspaceBar({ ...viewer, csrfToken: viewer.csrfToken }, langOf(event)) }
          : {}),
      }),
    );
  } finally {
    await spool.dispose();
  }
}

/**
 * `GET /w/ledger.xlsx`: the digest's workbook (overview, filings, ledger, overdue, changes) for
 * the units the page's unit filters select, at `at`/`day` or now. The download is on the audit
 * log. A workbook too large to answer inline is stored under `digests/` (expired by lifecycle)
 * and the browser is sent to a five-minute signed download.
 */
export async function ledgerRoute(
  event: Event,
  deps: HttpDeps,
  viewer: DashboardViewer,
): Promise<HttpResult> {
  const scope = scopeOf(viewer);
  const params = event.queryStringParameters ?? {};
  const query = parseDashboardQuery(params, deps.campaign, scope);
  const when = ledgerInstant(params, deps.campaign, deps.clock.now());
  const instant = campaignInstant(deps.campaign, when.at);
  const readers = when.past ? readersAsOf(deps, when.at) : deps;
  const spool = await fileSpool();
  try {
    const snapshot = await loadFilteredSnapshot(deps.campaign, readers, instant, spool, scope, query);
    const digest = buildDigest(snapshot, scope);
    // Loaded on first use: exceljs is the largest part of this function and only this route needs it.
    const { digestWorkbookFile } = await import('../../shared/adapters/xlsx/digest-workbook.ts');
    const file = await digestWorkbookFile(deps.campaign, digest, spool.rows(scopeKey(scope)));
    try {
      const fileName = `隐患台账-${digest.scopeName.zh}-${digest.day}.xlsx`;
      await deps.audit.append({
        at: deps.clock.now().toISOString(),
        actor: viewer.actor,
        action: 'supervisor-downloaded-ledger',
        subject: scopeKey(scope),
        detail: {
          at: instant.iso,
          filters: new URLSearchParams(
            Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined),
          ).toString(),
        },
      });
      if (file.size > INLINE_LEDGER_BYTES) {
        const stored = await deps.documents.upload({
          prefix: `digests/${digest.day}/ledger`,
          body: file.stream(),
          size: file.size,
          contentType: XLSX_CONTENT_TYPE,
        });
        return redirect(await deps.documents.presignGet(stored.key, fileName, XLSX_CONTENT_TYPE));
      }
      return {
        statusCode: 200,
        headers: { 'Content-Type': XLSX_CONTENT_TYPE, 'Content-Disposition': contentDisposition(fileName) },
        body: Buffer.from(await file.bytes()).toString('base64'),
        isBase64Encoded: true,
      };
    } finally {
      await file.dispose();
    }
  } finally {
    await spool.dispose();
  }
}

/** The dashboard's route table, composed with the others in `handler.ts`. */
export const dashboardRoutes = {
  'GET /w': workspaceGet(dashboardRoute),
  'GET /w/ledger.xlsx': workspaceGet(ledgerRoute),
} satisfies Partial<Record<RouteKey, Route>>;
