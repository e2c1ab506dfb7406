import { ImportUploadRequestSchema, UploadRequestSchema } from '../../../schemas/uploads.ts';
import { localDateOf } from '../../shared/domain/calendar/calendar.ts';
import { bouncedUnitsFor } from '../../shared/domain/delivery/mail-bounces.ts';
import { NotFoundError } from '../../shared/domain/errors.ts';
import { followDownloadLink } from '../../shared/domain/filing/download-links.ts';
import { contentDisposition } from '../../shared/domain/filing/file-names.ts';
import { XLSX_CONTENT_TYPE } from '../../shared/domain/filing/file-types.ts';
import { planImportUpload, planUpload } from '../../shared/domain/filing/uploads.ts';
import {
  confirmZeroReport,
  hazardsOfUnit,
  supervisedHazards,
  withdrawZeroReport,
} from '../../shared/domain/hazards/hazard-service.ts';
import { html } from '../../shared/web/html.ts';
import { UPLOAD_SCRIPT } from '../assets.ts';
import { hazardList, importBlock, zeroReportBlock } from '../hazard-pages.ts';
import { formPage, landingPage } from '../pages.ts';
import { formBody } from '../request-body.ts';
import { htmlResponse, redirect } from '../respond.ts';
import type { RouteKey } from '../routes.ts';
import { loadUnitPage, prepareForm } from '../unit-page.ts';
import {
  formPath,
  guarded,
  langOf,
  pageWithForms,
  parseBody,
  publicBase,
  type Route,
  seeOther,
  signedForm,
  unitNames,
  unitOf,
  uploadedUrl,
} from './route-kit.ts';

/** The school's side of its form link: its page, uploads, zero reports, imports and its own files; the landing page and download links. */
export const schoolRoutes = {
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
          sanctions: await deps.sanctions.listForUnit(unit.code),
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
      const { buildHazardTemplate } = await import('../../shared/adapters/xlsx/hazard-workbook.ts');
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

  'GET /f/{token}/sanctions/{id}/document': {
    format: 'html',
    handle: async (event, deps) => {
      const unit = await unitOf(event, deps);
      const id = event.pathParameters?.id ?? '';
      const document = (await deps.sanctions.listForUnit(unit.code)).find((s) => s.id === id)?.document;
      if (!document) throw new NotFoundError({ zh: '没有这份文件', en: 'No such document' });
      return redirect(
        await deps.documents.presignGet(document.key, document.displayName, document.contentType),
      );
    },
  },
} satisfies Partial<Record<RouteKey, Route>>;
