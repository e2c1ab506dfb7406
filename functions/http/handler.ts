import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { NotFoundError } from '../shared/domain/errors.ts';
import { checkPath, checkSameOrigin } from './request-body.ts';
import { errorResponse, type HttpResult, withSecurityHeaders } from './respond.ts';
import { dashboardRoutes } from './routes/dashboard-routes.ts';
import { exportRoutes } from './routes/export-routes.ts';
import { hazardRoutes } from './routes/hazard-routes.ts';
import { reviewRoutes } from './routes/review-routes.ts';
import { type Event, type HttpDeps, langOf, type Route } from './routes/route-kit.ts';
import { sanctionRoutes } from './routes/sanction-routes.ts';
import { schoolRoutes } from './routes/school-routes.ts';
import { workspaceHazardRoutes } from './routes/workspace-hazard-routes.ts';
import { workspaceRoutes } from './routes/workspace-routes.ts';
import type { RouteKey } from './routes.ts';

export type { HttpDeps };

/** Every route key the API declares has exactly one route here: the compiler checks the union. */
const routes: Record<RouteKey, Route> = {
  ...schoolRoutes,
  ...hazardRoutes,
  ...workspaceRoutes,
  ...reviewRoutes,
  ...dashboardRoutes,
  ...sanctionRoutes,
  ...exportRoutes,
  ...workspaceHazardRoutes,
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
        checkSameOrigin(event);
        return route.handle(event, deps);
      })
  );
}
