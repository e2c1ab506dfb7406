import { NotFoundError } from '../../shared/domain/errors.ts';
import { actionFromForm } from '../../shared/domain/hazards/hazard-fields.ts';
import { actOnHazard, historyOf, viewScopedHazard } from '../../shared/domain/hazards/hazard-service.ts';
import { withHazardNotices } from '../../shared/mail/hazard-mail.ts';
import { hazardPage } from '../hazard-pages.ts';
import { htmlResponse, redirect } from '../respond.ts';
import type { RouteKey } from '../routes.ts';
import { WORKSPACE, workspaceBar } from '../workspace/chrome.ts';
import { csrfField, workspaceGet, workspacePost } from '../workspace/session.ts';
import { type Event, langOf, type Route, seeOther, unitNames } from './route-kit.ts';

const pathOf = (event: Event) => ({
  unit: event.pathParameters?.unit ?? '',
  id: event.pathParameters?.id ?? '',
});

/**
 * A hazard in the workspace (issue 13): its full history for any supervisor whose scope holds the
 * unit, and the supervisor's actions (accept, refuse, decide an extension, reclassify) for the body
 * that supervises it, each a CSRF-checked POST.
 */
export const workspaceHazardRoutes = {
  'GET /w/hazards/{unit}/{id}': workspaceGet(async (event, deps, supervisor) => {
    const { unit, id } = pathOf(event);
    const { hazard, acts } = await viewScopedHazard(withHazardNotices(deps), supervisor, unit, id);
    const history = await historyOf(deps, hazard);
    const names = await unitNames(deps, [
      hazard.unitCode,
      supervisor.body.code,
      ...history.map((e) => e.byUnit),
      ...(hazard.supervision ? [hazard.supervision.supervisorUnit] : []),
    ]);
    const lang = langOf(event);
    return htmlResponse(
      200,
      hazardPage({
        campaign: deps.campaign,
        hazard,
        history,
        actor: { unitCode: supervisor.body.code, role: 'supervisor' },
        unitName: names,
        photoForms: [],
        uploaded: false,
        now: deps.clock.now(),
        lang,
        base: WORKSPACE,
        workspace: { bar: workspaceBar(supervisor, lang), csrf: csrfField(supervisor), readOnly: !acts },
      }),
    );
  }),

  'GET /w/hazards/{unit}/{id}/photos/{n}': workspaceGet(async (event, deps, supervisor) => {
    const { unit, id } = pathOf(event);
    const { hazard } = await viewScopedHazard(withHazardNotices(deps), supervisor, unit, id);
    const photo = hazard.photos[Number(event.pathParameters?.n)];
    if (!photo) throw new NotFoundError({ zh: '没有这张照片', en: 'No such photo' });
    return redirect(await deps.documents.presignGet(photo.key, photo.displayName, photo.contentType));
  }),

  'POST /w/hazards/{unit}/{id}/actions': workspacePost(async (event, deps, supervisor, form) => {
    const { unit, id } = pathOf(event);
    const version = form.get('version');
    const hazard = await actOnHazard(
      withHazardNotices(deps),
      supervisor.body,
      unit,
      id,
      actionFromForm(form),
      version !== null && /^\d{1,9}$/.test(version) ? Number(version) : undefined,
    );
    return seeOther(`${WORKSPACE}/hazards/${hazard.unitCode}/${hazard.id}`);
  }),
} satisfies Partial<Record<RouteKey, Route>>;
