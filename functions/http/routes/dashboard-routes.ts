import { fileSpool } from '../../shared/adapters/fs/ledger-spool.ts';
import { NotFoundError, ValidationError } from '../../shared/domain/errors.ts';
import { contentDisposition } from '../../shared/domain/filing/file-names.ts';
import { XLSX_CONTENT_TYPE } from '../../shared/domain/filing/file-types.ts';
import {
  type DashboardQuery,
  type DashboardView,
  dashboardOfSnapshot,
  parseDashboardQuery,
  scopeOfBody,
} from '../../shared/domain/report/dashboard.ts';
import { talliedDashboard } from '../../shared/domain/report/dashboard-load.ts';
import { rolledDashboard } from '../../shared/domain/report/dashboard-rolled.ts';
import { buildDigest } from '../../shared/domain/report/digest.ts';
import { scopeKey } from '../../shared/domain/report/hazard-pass.ts';
import { campaignInstant } from '../../shared/domain/report/instant.ts';
import {
  ledgerInstant,
  loadFilteredSnapshot,
  readersAsOf,
} from '../../shared/domain/report/ledger-export.ts';
import type { CampaignInstant, DigestScope } from '../../shared/domain/report/model.ts';
import { loadSnapshot } from '../../shared/domain/report/snapshot.ts';
import { type HttpResult, htmlResponse } from '../respond.ts';
import type { RouteKey } from '../routes.ts';
import { workspaceBar } from '../workspace/chrome.ts';
import { dashboardPage } from '../workspace/dashboard-page.ts';
import { type Supervisor, workspaceGet } from '../workspace/session.ts';
import { type Event, type HttpDeps, langOf, type Route } from './route-kit.ts';

/**
 * The dashboard's routes: `GET /w` (the page) and `GET /w/ledger.xlsx` (the ledger as filtered,
 * now or at a past instant), each for the supervising body's scope: the city office the whole
 * city, a district bureau its own district (the digest's `DigestScope`), at the request's
 * instant, Query only. The page reads the district rollups and only the units and major hazards
 * it lists (`rolledDashboard`); filtered, searched or sorted otherwise, the units with their
 * hazard tallies and the filings (`talliedDashboard`); the ledger reads everything
 * (`loadFilteredSnapshot`), since it lists every hazard.
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

/**
 * A workbook over what one response can carry. The benchmark city (1,000 units, 20,000 hazards)
 * makes a 3.7 MB workbook, just inside; beyond that the filters narrow it. A larger one could be
 * written under `exports/` (the HTTP function may write there, as the documents ZIP does) and
 * answered with a signed download: left for later.
 */
function tooLarge(size: number, limit: number, scope: DigestScope): ValidationError {
  const mb = (size / 1024 / 1024).toFixed(1);
  const field = scope.kind === 'office' ? 'district' : 'type';
  return new ValidationError(
    [
      {
        path: field,
        value: '',
        code: 'dashboard.ledger-too-large',
        zh: `台账有 ${mb} MB，超过单次下载上限 ${(limit / 1024 / 1024).toFixed(1)} MB；请先按${scope.kind === 'office' ? '区县' : '单位类型'}筛选后再下载`,
        en: `the ledger is ${mb} MB, over the ${(limit / 1024 / 1024).toFixed(1)} MB one download can carry; filter by ${scope.kind === 'office' ? 'district' : 'unit type'} first`,
      },
    ],
    { zh: '台账过大', en: 'The ledger is too large' },
  );
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
  const view =
    (await rolledDashboard(deps.campaign, deps, instant, scope, query)) ??
    (await talliedDashboard(deps.campaign, deps, instant, scope, query)) ??
    (await fullDashboard(deps, instant, scope, query));
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
}

/** The dashboard from every record, hazards included: while some unit's tally is not complete. */
async function fullDashboard(
  deps: HttpDeps,
  instant: CampaignInstant,
  scope: DigestScope,
  query: DashboardQuery,
): Promise<DashboardView> {
  const spool = await fileSpool();
  try {
    return await dashboardOfSnapshot(await loadSnapshot(deps.campaign, deps, instant, spool), scope, query);
  } finally {
    await spool.dispose();
  }
}

/**
 * `GET /w/ledger.xlsx`: the digest's workbook (overview, filings, ledger, overdue, changes) for
 * the units the page's unit filters select, at `at`/`day` or now. The download is on the audit
 * log. A workbook too large to answer inline is refused, asking for narrower filters (`tooLarge`).
 */
export async function ledgerRoute(
  event: Event,
  deps: HttpDeps,
  viewer: DashboardViewer,
  limits: { inlineBytes: number } = { inlineBytes: INLINE_LEDGER_BYTES },
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
      if (file.size > limits.inlineBytes) throw tooLarge(file.size, limits.inlineBytes, scope);
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
  'GET /w/ledger.xlsx': workspaceGet((event, deps, supervisor) => ledgerRoute(event, deps, supervisor)),
} satisfies Partial<Record<RouteKey, Route>>;
