import { dispositionFor } from '../../shared/domain/filing/file-types.ts';
import {
  openSupervisedVersion,
  supervisedUnit,
  viewSupervisedUnit,
} from '../../shared/domain/links/supervision-scope.ts';
import { htmlResponse, redirect } from '../respond.ts';
import type { RouteKey } from '../routes.ts';
import { supervisedUnitPage } from '../supervision-page.ts';
import { loadFilings } from '../unit-page.ts';
import { formPath, langOf, type Route, seeOther, unitOf } from './route-kit.ts';

/** A supervisor (the city office, a district bureau) finds a unit and opens what it filed, read-only. */
export const supervisionRoutes = {
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
} satisfies Partial<Record<RouteKey, Route>>;
