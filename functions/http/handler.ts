import middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { z } from 'zod';
import type { Campaign } from '../../schemas/campaign.ts';
import type { PendingUpload, UnitRecord } from '../../schemas/records.ts';
import {
  ImportUploadRequestSchema,
  PhotoUploadRequestSchema,
  UploadRequestSchema,
} from '../../schemas/uploads.ts';
import { parseWith } from '../../schemas/validation.ts';
import { localDateOf } from '../shared/domain/calendar/calendar.ts';
import type { Clock } from '../shared/domain/calendar/clock.ts';
import { bouncedUnitsFor } from '../shared/domain/delivery/mail-bounces.ts';
import {
  DomainError,
  ForbiddenError,
  NotFoundError,
  TooManyRequestsError,
  ValidationError,
} from '../shared/domain/errors.ts';
import { DownloadExpiredError, followDownloadLink } from '../shared/domain/filing/download-links.ts';
import { contentDisposition } from '../shared/domain/filing/file-names.ts';
import { dispositionFor, XLSX_CONTENT_TYPE } from '../shared/domain/filing/file-types.ts';
import { planImportUpload, planPhotoUpload, planUpload } from '../shared/domain/filing/uploads.ts';
import {
  actionFromForm,
  formValues,
  REPORT_FORM_FIELDS,
  reportFromFields,
} from '../shared/domain/hazards/hazard-fields.ts';
import {
  actOnHazard,
  confirmZeroReport,
  FormKeyUsedError,
  hazardForViewer,
  hazardsOfUnit,
  historyOf,
  isFormKey,
  newFormKey,
  reportHazard,
  supervisedHazards,
  withdrawZeroReport,
} from '../shared/domain/hazards/hazard-service.ts';
import { BAD_TOKEN_LIMIT, resolveLink } from '../shared/domain/links/form-links.ts';
import {
  openSupervisedVersion,
  supervisedUnit,
  viewSupervisedUnit,
} from '../shared/domain/links/supervision-scope.ts';
import type { Logger } from '../shared/logger.ts';
import type {
  AuditLog,
  BadTokenCounter,
  BounceLog,
  DocumentStore,
  DownloadLinkRepository,
  HazardImportRepository,
  HazardRepository,
  LinkRepository,
  PendingUploadRepository,
  SubmissionRepository,
  UnitRepository,
  UploadLedger,
  ZeroReportRepository,
} from '../shared/ports.ts';
import type { InvocationDeps } from '../shared/telemetry.ts';
import { html, pickLang } from '../shared/web/html.ts';
import { contentSecurityPolicy } from '../shared/web/security-headers.ts';
import { UPLOAD_SCRIPT } from './assets.ts';
import { hazardList, hazardPage, importBlock, newHazardPage, zeroReportBlock } from './hazard-pages.ts';
import { formPage, landingPage } from './pages.ts';
import { checkPath, formBody, jsonBody } from './request-body.ts';
import {
  errorResponse,
  type Format,
  type HttpResult,
  htmlResponse,
  jsonResponse,
  redacted,
  redirect,
  withSecurityHeaders,
} from './respond.ts';
import type { RouteKey } from './routes.ts';
import { supervisedUnitPage } from './supervision-page.ts';
import { loadFilings, loadUnitPage, prepareForm } from './unit-page.ts';

export interface HttpDeps extends InvocationDeps {
  clock: Clock;
  logger: Logger;
  /** The campaign config, read once per container. */
  campaign: Campaign;
  links: LinkRepository;
  downloads: DownloadLinkRepository;
  units: UnitRepository;
  submissions: SubmissionRepository;
  pending: PendingUploadRepository;
  ledger: UploadLedger;
  documents: DocumentStore;
  badTokens: BadTokenCounter;
  hazards: HazardRepository;
  zeroReports: ZeroReportRepository;
  audit: AuditLog;
  imports: HazardImportRepository;
  /** Read for the office's and the bureaus' own pages: units whose contact address bounces. */
  bounces: Pick<BounceLog, 'all'>;
}

type Event = APIGatewayProxyEventV2;
interface Route {
  format: Format;
  handle(event: Event, deps: HttpDeps): Promise<HttpResult>;
}

const langOf = (event: Event) => pickLang(event.queryStringParameters, event.headers['accept-language']);

/** The site's own address as the browser sees it, for the upload form's redirect back. */
function publicBase(event: Event): string {
  const proto = event.headers['x-forwarded-proto'] ?? 'https';
  return `${proto}://${event.headers.host ?? event.requestContext.domainName}`;
}

const SERVER_ERROR_KEEPS_FORM = {
  zh: '系统暂时出错，您填写的内容保留在下方；请稍后再次提交（不会重复登记）',
  en: 'Something went wrong on our side; what you typed is kept below. Submit again in a moment (it will not be recorded twice)',
};

const TOO_MANY = {
  zh: '无效链接尝试次数过多，请 10 分钟后再试',
  en: 'Too many attempts with invalid links; try again in 10 minutes',
};

/**
 * Runs a token lookup behind the bad-token limit. The lookup comes first, so a valid token is
 * always served: a whole district may sit behind one NAT address, and another machine's bad
 * tokens must never lock a school out of its link. Tokens carry 256 bits (at least 128 would
 * do), so guessing is hopeless anyway; the limit only makes scanning noisy and cheap to answer.
 * Each token that leads nowhere is counted in one atomic increment (an expired download link is
 * not: a person clicked it late); past the limit the answer is 429 instead of 404, so of any
 * burst at most `BAD_TOKEN_LIMIT` bad tokens per window get a 404.
 */
async function guarded<T>(event: Event, deps: HttpDeps, lookup: () => Promise<T>): Promise<T> {
  try {
    return await lookup();
  } catch (error) {
    if (error instanceof NotFoundError && !(error instanceof DownloadExpiredError)) {
      const count = await deps.badTokens.add(event.requestContext.http.sourceIp, deps.clock.now());
      if (count > BAD_TOKEN_LIMIT) throw new TooManyRequestsError(TOO_MANY);
    }
    throw error;
  }
}

/** The unit a form-link route acts for. Unknown, revoked and foreign tokens look the same. */
function unitOf(event: Event, deps: HttpDeps): Promise<UnitRecord> {
  return guarded(event, deps, () => resolveLink(event.pathParameters?.token ?? '', deps, deps.campaign.id));
}

function formPath(event: Event): string {
  return `/f/${event.pathParameters?.token ?? ''}`;
}

/** Where S3 sends the browser back after an upload: the unit's page, with a notice, at the deliverable. */
function uploadedUrl(event: Event, deliverableId: string): string {
  return `${publicBase(event)}${formPath(event)}?uploaded=${encodeURIComponent(deliverableId)}#${deliverableId}`;
}

function seeOther(location: string): HttpResult {
  return { statusCode: 303, headers: { Location: location }, body: '' };
}

/** Unit names for display, read once per page (a hazard page names at most a few units). */
async function unitNames(deps: HttpDeps, codes: Iterable<string>): Promise<(code: string) => string> {
  const names = new Map<string, string>();
  for (const code of new Set(codes)) names.set(code, (await deps.units.get(code))?.name ?? code);
  return (code) => names.get(code) ?? code;
}

/** A JSON body checked by `schema`; malformed JSON or a bad field is a `ValidationError`. */
function parseBody<S extends z.ZodType>(event: Event, schema: S): z.output<S> {
  const parsed = parseWith(schema, jsonBody(event));
  if (!parsed.ok) throw new ValidationError(parsed.issues);
  return parsed.value;
}

/** The answer to a request for an upload form: the signed POST, its key and when it expires. */
async function signedForm(deps: HttpDeps, pending: PendingUpload, back: string): Promise<HttpResult> {
  const form = await prepareForm(deps, pending, back);
  return jsonResponse(200, { ...form, key: pending.key, expiresAt: pending.expiresAt });
}

/** An HTML page holding upload forms: its CSP lets forms post to their storage origins. */
function pageWithForms(body: string, forms: readonly { url: string }[]): HttpResult {
  const origins = [...new Set(forms.map((f) => new URL(f.url).origin))];
  return htmlResponse(200, body, { 'Content-Security-Policy': contentSecurityPolicy(origins) });
}

/** The hazard a `/hazards/{unit}/{id}` path names, as `viewer` may see it. */
function hazardOfPath(event: Event, deps: HttpDeps, viewer: UnitRecord) {
  return hazardForViewer(deps, viewer, event.pathParameters?.unit ?? '', event.pathParameters?.id ?? '');
}

/** Where S3 sends the browser back after a hazard photo or plan: the hazard's page, with a notice. */
function photoBack(event: Event, hazard: { unitCode: string; id: string }): string {
  return `${publicBase(event)}${formPath(event)}/hazards/${hazard.unitCode}/${hazard.id}?uploaded=photo`;
}

const routes: Record<RouteKey, Route> = {
  'GET /': {
    format: 'html',
    handle: async (event, deps) =>
      htmlResponse(200, landingPage(deps.campaign, deps.clock.now(), langOf(event))),
  },

  'GET /assets/upload.js': {
    format: 'html',
    handle: async () => ({
      statusCode: 200,
      headers: { 'Content-Type': 'text/javascript; charset=utf-8' },
      body: UPLOAD_SCRIPT,
    }),
  },

  'GET /f/{token}': {
    format: 'html',
    handle: async (event, deps) => {
      const unit = await unitOf(event, deps);
      const now = deps.clock.now();
      const { panels, otherRejections } = await loadUnitPage(deps, unit, now, (id) => uploadedUrl(event, id));
      const lang = langOf(event);
      const base = formPath(event);
      const own = unit.type === 'city-office' ? null : await hazardsOfUnit(deps, unit);
      const supervised = await supervisedHazards(deps, unit);
      const names = await unitNames(
        deps,
        supervised.map((h) => h.unitCode),
      );
      const bounced = await bouncedUnitsFor(deps, unit);
      const zero = own ? await deps.zeroReports.get(unit.code) : null;
      const imports = own ? await deps.imports.list(unit.code) : [];
      const importForm = own
        ? await prepareForm(
            deps,
            planImportUpload({ campaign: deps.campaign, unit, file: {}, now }),
            `${publicBase(event)}${base}#hazards`,
          )
        : null;
      return pageWithForms(
        formPage({
          campaign: deps.campaign,
          unit,
          panels,
          otherRejections,
          hazards: own
            ? html`${zeroReportBlock({ hazards: own, zero, lang, base, today: localDateOf(now, deps.campaign.timeZone) })}${importBlock({ imports, form: importForm, lang, base })}${hazardList({ hazards: own, campaign: deps.campaign, now, lang, base })}`
            : null,
          supervised:
            unit.type === 'district-bureau' || unit.type === 'city-office'
              ? hazardList({
                  hazards: supervised,
                  campaign: deps.campaign,
                  now,
                  lang,
                  base,
                  showUnit: (code) => html`<a href="${base}/units/${code}">${names(code)}</a>`,
                })
              : null,
          bounced,
          uploaded: event.queryStringParameters?.uploaded,
          now,
          lang: langOf(event),
          selfPath: formPath(event),
        }),
        [...panels.flatMap((p) => (p.form ? [p.form] : [])), ...(importForm ? [importForm] : [])],
      );
    },
  },

  'POST /f/{token}/uploads': {
    format: 'json',
    handle: async (event, deps) => {
      const unit = await unitOf(event, deps);
      const request = parseBody(event, UploadRequestSchema);
      const pending = planUpload({ campaign: deps.campaign, unit, request, now: deps.clock.now() });
      return signedForm(deps, pending, uploadedUrl(event, pending.deliverableId));
    },
  },

  'POST /f/{token}/zero-report': {
    format: 'html',
    handle: async (event, deps) => {
      const unit = await unitOf(event, deps);
      const form = formBody(event);
      if (form.get('action') === 'withdraw') await withdrawZeroReport(deps, unit);
      else await confirmZeroReport(deps, unit, form.get('checkedOn') ?? '');
      return seeOther(`${formPath(event)}#hazards`);
    },
  },

  'GET /f/{token}/hazards/template.xlsx': {
    format: 'html',
    handle: async (event, deps) => {
      await unitOf(event, deps);
      // Loaded on first use: exceljs is the largest part of this function and only this route needs it.
      const { buildHazardTemplate } = await import('../shared/adapters/xlsx/hazard-workbook.ts');
      const workbook = await buildHazardTemplate(deps.campaign);
      return {
        statusCode: 200,
        headers: {
          'Content-Type': XLSX_CONTENT_TYPE,
          'Content-Disposition': contentDisposition('隐患批量导入模板.xlsx'),
        },
        body: workbook.toString('base64'),
        isBase64Encoded: true,
      };
    },
  },

  'POST /f/{token}/imports': {
    format: 'json',
    handle: async (event, deps) => {
      const unit = await unitOf(event, deps);
      const file = parseBody(event, ImportUploadRequestSchema);
      const pending = planImportUpload({ campaign: deps.campaign, unit, file, now: deps.clock.now() });
      return signedForm(deps, pending, `${publicBase(event)}${formPath(event)}#hazards`);
    },
  },

  'GET /f/{token}/hazards/new': {
    format: 'html',
    handle: async (event, deps) => {
      const unit = await unitOf(event, deps);
      const today = localDateOf(deps.clock.now(), deps.campaign.timeZone);
      return htmlResponse(
        200,
        newHazardPage({
          campaign: deps.campaign,
          unit,
          values: { foundOn: today },
          issues: [],
          formKey: newFormKey(),
          lang: langOf(event),
          base: formPath(event),
        }),
      );
    },
  },

  'POST /f/{token}/hazards': {
    format: 'html',
    handle: async (event, deps) => {
      const unit = await unitOf(event, deps);
      // The report's schema refuses control characters in its fields, keeping the form as typed.
      const form = formBody(event, REPORT_FORM_FIELDS);
      const posted = form.get('formKey') ?? undefined;
      try {
        const hazard = await reportHazard(deps, unit, reportFromFields(form), posted);
        return seeOther(`${formPath(event)}/hazards/${hazard.unitCode}/${hazard.id}`);
      } catch (error) {
        // Every refusal, and an error of ours too, brings the form back with what was typed.
        const known = error instanceof DomainError && error.status < 500 ? error : null;
        if (!known) {
          deps.logger.error('request failed', {
            routeKey: event.routeKey,
            error: redacted(error, [event.pathParameters?.token ?? '']),
          });
        }
        // The posted key stays unless it is spent or unusable: a retry after an error of ours
        // (which may have stored the hazard after all) is then recognised as the same report.
        const keep = posted !== undefined && isFormKey(posted) && !(error instanceof FormKeyUsedError);
        const page = newHazardPage({
          campaign: deps.campaign,
          unit,
          values: formValues(form),
          issues: known instanceof ValidationError ? known.issues : [],
          ...(known instanceof ValidationError ? {} : { notice: known ?? SERVER_ERROR_KEEPS_FORM }),
          formKey: keep ? posted : newFormKey(),
          lang: langOf(event),
          base: formPath(event),
        });
        return htmlResponse(known?.status ?? 500, page);
      }
    },
  },

  'GET /f/{token}/hazards/{unit}/{id}': {
    format: 'html',
    handle: async (event, deps) => {
      const viewer = await unitOf(event, deps);
      const { hazard, actor } = await hazardOfPath(event, deps, viewer);
      const history = await historyOf(deps, hazard);
      const names = await unitNames(deps, [
        viewer.code,
        hazard.unitCode,
        ...history.map((e) => e.byUnit),
        hazard.supervision?.supervisorUnit ?? viewer.code,
      ]);
      const now = deps.clock.now();
      const back = photoBack(event, hazard);
      const photoForms =
        actor.role === 'owner'
          ? await Promise.all(
              (hazard.report.five
                ? (['before', 'after', 'plan'] as const)
                : (['before', 'after'] as const)
              ).map(async (photoKind) => ({
                photoKind,
                form: await prepareForm(
                  deps,
                  planPhotoUpload({
                    campaign: deps.campaign,
                    unit: viewer,
                    hazardId: hazard.id,
                    photoKind,
                    file: {},
                    now,
                  }),
                  back,
                ),
              })),
            )
          : [];
      return pageWithForms(
        hazardPage({
          campaign: deps.campaign,
          hazard,
          history,
          actor,
          unitName: names,
          photoForms,
          uploaded: event.queryStringParameters?.uploaded === 'photo',
          now,
          lang: langOf(event),
          base: formPath(event),
        }),
        photoForms.map((p) => p.form),
      );
    },
  },

  'POST /f/{token}/hazards/{unit}/{id}/photos': {
    format: 'json',
    handle: async (event, deps) => {
      const viewer = await unitOf(event, deps);
      const { hazard, actor } = await hazardOfPath(event, deps, viewer);
      if (actor.role !== 'owner') {
        throw new ForbiddenError({
          zh: '只有上报单位可以添加照片',
          en: 'only the reporting unit adds photos',
        });
      }
      const { photoKind, ...file } = parseBody(event, PhotoUploadRequestSchema);
      const pending = planPhotoUpload({
        campaign: deps.campaign,
        unit: viewer,
        hazardId: hazard.id,
        photoKind,
        file,
        now: deps.clock.now(),
      });
      return signedForm(deps, pending, photoBack(event, hazard));
    },
  },

  'GET /f/{token}/hazards/{unit}/{id}/photos/{n}': {
    format: 'html',
    handle: async (event, deps) => {
      const viewer = await unitOf(event, deps);
      const { hazard } = await hazardOfPath(event, deps, viewer);
      const photo = hazard.photos[Number(event.pathParameters?.n)];
      if (!photo) throw new NotFoundError({ zh: '没有这张照片', en: 'No such photo' });
      return redirect(await deps.documents.presignGet(photo.key, photo.displayName, photo.contentType));
    },
  },

  'POST /f/{token}/hazards/{unit}/{id}/actions': {
    format: 'html',
    handle: async (event, deps) => {
      const viewer = await unitOf(event, deps);
      const form = formBody(event);
      const version = form.get('version');
      const hazard = await actOnHazard(
        deps,
        viewer,
        event.pathParameters?.unit ?? '',
        event.pathParameters?.id ?? '',
        actionFromForm(form),
        version !== null && /^\d{1,9}$/.test(version) ? Number(version) : undefined,
      );
      return seeOther(`${formPath(event)}/hazards/${hazard.unitCode}/${hazard.id}`);
    },
  },

  'GET /f/{token}/units': {
    format: 'html',
    handle: async (event, deps) => {
      const viewer = await unitOf(event, deps);
      const code = (event.queryStringParameters?.code ?? '').trim().toUpperCase();
      const unit = await supervisedUnit(deps, viewer, code);
      const english = event.queryStringParameters?.lang === 'en' ? '?lang=en' : '';
      return seeOther(`${formPath(event)}/units/${unit.code}${english}`);
    },
  },

  'GET /f/{token}/units/{unit}': {
    format: 'html',
    handle: async (event, deps) => {
      const viewer = await unitOf(event, deps);
      const unit = await viewSupervisedUnit(deps, viewer, event.pathParameters?.unit ?? '');
      const now = deps.clock.now();
      return htmlResponse(
        200,
        supervisedUnitPage({
          campaign: deps.campaign,
          viewer,
          unit,
          filings: await loadFilings(deps, unit, now),
          now,
          lang: langOf(event),
          selfPath: formPath(event),
        }),
      );
    },
  },

  'GET /f/{token}/units/{unit}/files/{deliverable}/{version}': {
    format: 'html',
    handle: async (event, deps) => {
      const viewer = await unitOf(event, deps);
      const version = await openSupervisedVersion(
        deps,
        viewer,
        event.pathParameters?.unit ?? '',
        event.pathParameters?.deliverable ?? '',
        event.pathParameters?.version ?? '',
      );
      return redirect(
        await deps.documents.presignGet(version.fileKey, version.displayName, version.contentType, {
          disposition: dispositionFor(version.contentType),
        }),
      );
    },
  },

  'GET /d/{token}': {
    format: 'html',
    handle: async (event, deps) =>
      redirect(
        await guarded(event, deps, () =>
          followDownloadLink(deps, event.pathParameters?.token ?? '', deps.clock.now()),
        ),
      ),
  },

  'GET /f/{token}/files/{deliverable}/{version}': {
    format: 'html',
    handle: async (event, deps) => {
      const unit = await unitOf(event, deps);
      const number = Number(event.pathParameters?.version);
      const version = Number.isInteger(number)
        ? await deps.submissions.version(unit.code, event.pathParameters?.deliverable ?? '', number)
        : null;
      if (!version) throw new NotFoundError({ zh: '没有这个文件版本', en: 'No such version of the file' });
      return redirect(
        await deps.documents.presignGet(version.fileKey, version.displayName, version.contentType),
      );
    },
  },
};

/**
 * The HTTP API function. Middleware first: security headers on every response and the one
 * mapping of errors to HTTP. The handler routes by API Gateway's route key. Logs name the route
 * key, never the path: the path holds the form-link token.
 */
export function makeHandler(deps: HttpDeps) {
  const routeOf = (event: Event): Route | undefined => routes[event.routeKey as RouteKey];
  return (
    middy<Event, HttpResult, Error, Context>()
      .use({
        after: (request) => {
          if (request.response) request.response = withSecurityHeaders(request.response);
        },
        onError: (request) => {
          request.response = withSecurityHeaders(
            errorResponse(request.error, {
              lang: langOf(request.event),
              format: routeOf(request.event)?.format ?? 'html',
              logger: deps.logger,
              routeKey: request.event.routeKey,
              secrets: [request.event.pathParameters?.token ?? ''],
            }),
          );
        },
      })
      // After the error mapping, so the invocation's own onError (Powertools: the metrics flush,
      // the logger's context) runs first: middy runs onError handlers in reverse order.
      .use([...(deps.middleware ?? [])])
      .handler(async (event) => {
        const route = routeOf(event);
        if (!route) throw new NotFoundError({ zh: '页面不存在', en: 'Page not found' });
        checkPath(event);
        return route.handle(event, deps);
      })
  );
}
