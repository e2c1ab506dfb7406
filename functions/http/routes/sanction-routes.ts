import type { SanctionRecord } from '../../../schemas/records.ts';
import { localDateOf } from '../../shared/domain/calendar/calendar.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../shared/domain/errors.ts';
import { contentDisposition } from '../../shared/domain/filing/file-names.ts';
import { XLSX_CONTENT_TYPE } from '../../shared/domain/filing/file-types.ts';
import { planSanctionDocument } from '../../shared/domain/filing/uploads.ts';
import { supervisedUnit } from '../../shared/domain/links/supervision-scope.ts';
import { circularUnitCodes, draftCircular } from '../../shared/domain/sanctions/circular.ts';
import {
  inSanctionOrder,
  newSanctionFormKey,
  recordSanction,
  SanctionFormUsedError,
} from '../../shared/domain/sanctions/sanctions.ts';
import { htmlResponse, redirect } from '../respond.ts';
import type { RouteKey } from '../routes.ts';
import { prepareForm } from '../unit-page.ts';
import { workspaceBar } from '../workspace/chrome.ts';
import {
  newSanctionPage,
  SANCTIONS_PATH,
  type SanctionListItem,
  sanctionDocumentPage,
  sanctionListPage,
} from '../workspace/sanction-pages.ts';
import type { Supervisor } from '../workspace/session.ts';
import { returnToWorkspace, workspaceGet, workspacePost } from '../workspace/session.ts';
import {
  type Event,
  type HttpDeps,
  langOf,
  pageWithForms,
  publicBase,
  type Route,
  seeOther,
  unitNames,
} from './route-kit.ts';

/** Every value of a query parameter, as sent (`queryStringParameters` joins repeats with commas). */
function queryValues(event: Event, name: string): string[] {
  return new URLSearchParams(event.rawQueryString ?? '').getAll(name);
}

/**
 * The decisions a supervisor may list: the city office all; a district bureau its district's,
 * those against the bureau itself included, as its digest lists them.
 */
async function sanctionsInScope(deps: HttpDeps, supervisor: Supervisor): Promise<SanctionRecord[]> {
  const { body } = supervisor;
  const out: SanctionRecord[] = [];
  if (body.type === 'city-office') {
    for await (const s of deps.sanctions.all()) out.push(s);
  } else if (body.type === 'district-bureau' && body.district !== null) {
    for await (const s of deps.sanctions.list({ district: body.district })) out.push(s);
  }
  return out;
}

/**
 * The decision a `/w/sanctions/{unit}/{id}` path names, if its unit is in the supervisor's scope
 * or is the supervising body itself (a bureau reads a decision against it, as its digest lists it).
 */
async function sanctionOfPath(event: Event, deps: HttpDeps, supervisor: Supervisor) {
  const code = (event.pathParameters?.unit ?? '').trim().toUpperCase();
  const unit =
    code === supervisor.body.code ? supervisor.body : await supervisedUnit(deps, supervisor.body, code);
  const id = event.pathParameters?.id ?? '';
  const sanction = (await deps.sanctions.listForUnit(unit.code)).find((s) => s.id === id);
  if (!sanction) throw new NotFoundError({ zh: '没有这条约谈/通报记录', en: 'No such summons or circular' });
  return { unit, sanction };
}

/** The body that decided uploads the document; the city office may for any decision. */
function mayUpload(supervisor: Supervisor, sanction: SanctionRecord): boolean {
  return supervisor.body.code === sanction.bodyCode || supervisor.body.type === 'city-office';
}

/**
 * Summons and circulars (约谈/通报, issue 13), in the workspace: the form that records one against a
 * supervised unit (once per form), the list of all in scope, each decision's document (uploaded
 * straight to storage, read through a signed link), and the draft circular's export.
 */
export const sanctionRoutes = {
  'GET /w/sanctions/new': workspaceGet(async (event, deps, supervisor) => {
    const lang = langOf(event);
    const unit = await supervisedUnit(
      deps,
      supervisor.body,
      (event.queryStringParameters?.unit ?? '').trim().toUpperCase(),
    );
    return htmlResponse(
      200,
      newSanctionPage({
        campaign: deps.campaign,
        bar: workspaceBar(supervisor, lang),
        supervisor,
        unit,
        values: { date: localDateOf(deps.clock.now(), deps.campaign.timeZone) },
        issues: [],
        formKey: newSanctionFormKey(),
        lang,
      }),
    );
  }),

  'POST /w/sanctions': workspacePost(async (event, deps, supervisor, form) => {
    const lang = langOf(event);
    const unitCode = (form.get('unit') ?? '').trim().toUpperCase();
    const fields = {
      kind: form.get('kind'),
      date: form.get('date'),
      reason: form.get('reason'),
      formKey: form.get('formKey'),
    };
    try {
      const { sanction } = await recordSanction(deps, supervisor, unitCode, fields);
      return seeOther(
        `${SANCTIONS_PATH}?recorded=${sanction.id}${lang === 'en' ? '&lang=en' : ''}#s-${sanction.id}`,
      );
    } catch (error) {
      // A refused form comes back filled in; an out-of-scope unit (404) and our own errors do not.
      if (!(error instanceof ValidationError || error instanceof SanctionFormUsedError)) throw error;
      const unit = await supervisedUnit(deps, supervisor.body, unitCode);
      const key = fields.formKey ?? '';
      const keep = error instanceof ValidationError && /^[0-9a-f-]{36}$/.test(key);
      return htmlResponse(
        error.status,
        newSanctionPage({
          campaign: deps.campaign,
          bar: workspaceBar(supervisor, lang),
          supervisor,
          unit,
          values: { kind: fields.kind ?? '', date: fields.date ?? '', reason: fields.reason ?? '' },
          issues: error instanceof ValidationError ? error.issues : [],
          ...(error instanceof ValidationError ? {} : { notice: { zh: error.zh, en: error.en } }),
          formKey: keep ? key : newSanctionFormKey(),
          lang,
        }),
      );
    }
  }),

  'GET /w/sanctions/{unit}/{id}/document': workspaceGet(async (event, deps, supervisor) => {
    const lang = langOf(event);
    const { unit, sanction } = await sanctionOfPath(event, deps, supervisor);
    if (!mayUpload(supervisor, sanction))
      throw new ForbiddenError({
        zh: '只有作出决定的单位可以上传文件',
        en: 'only the body that decided uploads its document',
      });
    const next = `${SANCTIONS_PATH}?uploaded=${sanction.id}${lang === 'en' ? '&lang=en' : ''}`;
    const form = await prepareForm(
      deps,
      planSanctionDocument({
        campaign: deps.campaign,
        unit,
        sanction: { ...sanction, bodyCode: supervisor.body.code },
        file: {},
        now: deps.clock.now(),
      }),
      `${publicBase(event)}/w/return?next=${encodeURIComponent(next)}`,
    );
    return pageWithForms(
      sanctionDocumentPage({
        campaign: deps.campaign,
        bar: workspaceBar(supervisor, lang),
        unit,
        sanction,
        form,
        lang,
      }),
      [form],
    );
  }),

  'GET /w/sanctions/{unit}/{id}/document/file': workspaceGet(async (event, deps, supervisor) => {
    const { sanction } = await sanctionOfPath(event, deps, supervisor);
    const document = sanction.document;
    if (!document)
      throw new NotFoundError({ zh: '这条记录还没有文件', en: 'This decision has no document yet' });
    await deps.audit.append({
      at: deps.clock.now().toISOString(),
      actor: supervisor.actor,
      action: 'supervisor-opened-file',
      subject: sanction.unitCode,
      detail: { sanction: sanction.id, key: document.key, sha256: document.sha256 },
    });
    return redirect(
      await deps.documents.presignGet(document.key, document.displayName, document.contentType),
    );
  }),

  'GET /w/return': { format: 'html', handle: async (event) => returnToWorkspace(event) },

  'GET /w/sanctions': workspaceGet(async (event, deps, supervisor) => {
    const lang = langOf(event);
    const sanctions = await sanctionsInScope(deps, supervisor);
    const names = await unitNames(
      deps,
      sanctions.map((s) => s.unitCode),
    );
    const items: SanctionListItem[] = inSanctionOrder(
      sanctions.map((s) => ({ ...s, unitName: names(s.unitCode), mayUpload: mayUpload(supervisor, s) })),
    ).reverse();
    const { recorded, uploaded } = event.queryStringParameters ?? {};
    return htmlResponse(
      200,
      sanctionListPage({
        campaign: deps.campaign,
        bar: workspaceBar(supervisor, lang),
        sanctions: items,
        ...(recorded ? { recorded } : {}),
        ...(uploaded ? { uploaded } : {}),
        lang,
      }),
    );
  }),

  'GET /w/circular.xlsx': workspaceGet(async (event, deps, supervisor) => {
    const codes = circularUnitCodes(queryValues(event, 'unit'));
    const draft = await draftCircular(deps, supervisor, codes);
    // Loaded on first use: exceljs is the largest part of this function.
    const { circularWorkbook } = await import('../../shared/adapters/xlsx/circular-workbook.ts');
    const bytes = await circularWorkbook(draft, deps.campaign.organiser.name.zh);
    return {
      statusCode: 200,
      headers: {
        'Content-Type': XLSX_CONTENT_TYPE,
        'Content-Disposition': contentDisposition(`通报草稿-${draft.day}.xlsx`),
      },
      body: bytes.toString('base64'),
      isBase64Encoded: true,
    };
  }),
} satisfies Partial<Record<RouteKey, Route>>;
