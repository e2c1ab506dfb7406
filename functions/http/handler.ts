import middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { Campaign } from '../../schemas/campaign.ts';
import type { Clock } from '../shared/domain/clock.ts';
import { deliverableState } from '../shared/domain/deadlines.ts';
import { NotFoundError } from '../shared/domain/errors.ts';
import { resolveLink } from '../shared/domain/form-links.ts';
import type { Logger } from '../shared/logger.ts';
import type { LinkRepository, SubmissionRepository, UnitRepository } from '../shared/ports.ts';
import { pickLang } from '../shared/web/html.ts';
import { formPage, landingPage } from './pages.ts';
import { errorResponse, type HttpResult, htmlResponse, withSecurityHeaders } from './respond.ts';

export interface HttpDeps {
  clock: Clock;
  logger: Logger;
  /** The campaign config, read once per container. */
  campaign: Campaign;
  links: LinkRepository;
  units: UnitRepository;
  submissions: SubmissionRepository;
}

type Route = (event: APIGatewayProxyEventV2, deps: HttpDeps) => Promise<HttpResult>;

const langOf = (event: APIGatewayProxyEventV2) =>
  pickLang(event.queryStringParameters, event.headers['accept-language']);

const routes: Record<string, Route> = {
  'GET /': async (event, deps) =>
    htmlResponse(200, landingPage(deps.campaign, deps.clock.now(), langOf(event))),

  'GET /f/{token}': async (event, deps) => {
    const { campaign } = deps;
    const token = event.pathParameters?.token ?? '';
    const unit = await resolveLink(token, deps, campaign.id);
    const now = deps.clock.now();
    const required = campaign.deliverables.filter((d) => d.requiredOf.includes(unit.type));
    const states = await Promise.all(
      required.map(async (deliverable) => ({
        deliverable,
        state: deliverableState(
          deliverable,
          await deps.submissions.pointer(unit.code, deliverable.id),
          now,
          campaign.timeZone,
        ),
      })),
    );
    return htmlResponse(
      200,
      formPage({ campaign, unit, states, now, lang: langOf(event), selfPath: event.rawPath }),
    );
  },
};

/**
 * The HTTP API function. Middleware first: security headers on every response and the one
 * mapping of errors to HTTP. The handler routes by API Gateway's route key.
 */
export function makeHandler(deps: HttpDeps) {
  return middy<APIGatewayProxyEventV2, HttpResult, Error, Context>()
    .use({
      after: (request) => {
        if (request.response) request.response = withSecurityHeaders(request.response);
      },
      onError: (request) => {
        const lang = langOf(request.event);
        request.response = withSecurityHeaders(
          errorResponse(request.error, lang, deps.logger, request.event.routeKey),
        );
      },
    })
    .handler(async (event) => {
      const route = routes[event.routeKey];
      if (!route) throw new NotFoundError({ zh: '页面不存在', en: 'Page not found' });
      return route(event, deps);
    });
}
