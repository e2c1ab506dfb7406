import { PhotoUploadRequestSchema } from '../../../schemas/uploads.ts';
import { localDateOf } from '../../shared/domain/calendar/calendar.ts';
import { DomainError, ForbiddenError, NotFoundError, ValidationError } from '../../shared/domain/errors.ts';
import { planPhotoUpload } from '../../shared/domain/filing/uploads.ts';
import {
  actionFromForm,
  fieldsFromReport,
  formValues,
  REPORT_FORM_FIELDS,
  reportFromFields,
} from '../../shared/domain/hazards/hazard-fields.ts';
import {
  actOnHazard,
  editHazard,
  FormKeyUsedError,
  historyOf,
  isFormKey,
  newFormKey,
  reportHazard,
} from '../../shared/domain/hazards/hazard-service.ts';
import { withHazardNotices } from '../../shared/mail/hazard-mail.ts';
import { editHazardPage, hazardPage, newHazardPage } from '../hazard-pages.ts';
import { formBody } from '../request-body.ts';
import { htmlResponse, redacted, redirect } from '../respond.ts';
import type { RouteKey } from '../routes.ts';
import { prepareForm } from '../unit-page.ts';
import {
  formPath,
  hazardOfPath,
  langOf,
  pageWithForms,
  parseBody,
  photoBack,
  type Route,
  SERVER_ERROR_KEEPS_FORM,
  seeOther,
  signedForm,
  unitNames,
  unitOf,
} from './route-kit.ts';

/** Hazards on a form link: reporting, the hazard page, photos and the closed loop's actions (owner and supervisor alike). */
export const hazardRoutes = {
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
        const hazard = await reportHazard(withHazardNotices(deps), unit, reportFromFields(form), posted);
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
      // A withdrawn report takes no more photos; a closed-out one may still get its "after" photo.
      const photoForms =
        actor.role === 'owner' && hazard.status !== 'withdrawn'
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

  'GET /f/{token}/hazards/{unit}/{id}/edit': {
    format: 'html',
    handle: async (event, deps) => {
      const viewer = await unitOf(event, deps);
      const { hazard, actor } = await hazardOfPath(event, deps, viewer);
      // Only the reporting unit edits, and only while registered; anyone else sees the hazard page.
      if (actor.role !== 'owner' || hazard.status !== 'registered') {
        return seeOther(`${formPath(event)}/hazards/${hazard.unitCode}/${hazard.id}`);
      }
      return htmlResponse(
        200,
        editHazardPage({
          campaign: deps.campaign,
          hazard,
          values: fieldsFromReport(hazard.report),
          issues: [],
          version: hazard.version,
          lang: langOf(event),
          base: formPath(event),
        }),
      );
    },
  },

  'POST /f/{token}/hazards/{unit}/{id}/actions': {
    format: 'html',
    handle: async (event, deps) => {
      const viewer = await unitOf(event, deps);
      // An edit posts the report form's fields: its schema refuses control characters in them,
      // and the form comes back as typed; other actions' fields are checked by the decoder.
      const form = formBody(event, REPORT_FORM_FIELDS);
      const version = form.get('version');
      const expected = version !== null && /^\d{1,9}$/.test(version) ? Number(version) : undefined;
      const unitCode = event.pathParameters?.unit ?? '';
      const id = event.pathParameters?.id ?? '';
      if (form.get('action') === 'edit') {
        try {
          const hazard = await editHazard(
            withHazardNotices(deps),
            viewer,
            unitCode,
            id,
            reportFromFields(form),
            expected,
          );
          return seeOther(`${formPath(event)}/hazards/${hazard.unitCode}/${hazard.id}`);
        } catch (error) {
          if (!(error instanceof ValidationError) || expected === undefined) throw error;
          const { hazard } = await hazardOfPath(event, deps, viewer);
          const { action: _a, version: _v, ...values } = formValues(form);
          return htmlResponse(
            400,
            editHazardPage({
              campaign: deps.campaign,
              hazard,
              values,
              issues: error.issues,
              version: expected,
              lang: langOf(event),
              base: formPath(event),
            }),
          );
        }
      }
      const hazard = await actOnHazard(
        withHazardNotices(deps),
        viewer,
        unitCode,
        id,
        actionFromForm(form),
        expected,
      );
      return seeOther(`${formPath(event)}/hazards/${hazard.unitCode}/${hazard.id}`);
    },
  },
} satisfies Partial<Record<RouteKey, Route>>;
