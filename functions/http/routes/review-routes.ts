import type { UnitRecord } from '../../../schemas/records.ts';
import { ConflictError, ValidationError } from '../../shared/domain/errors.ts';
import { reviewVersion } from '../../shared/domain/filing/reviews.ts';
import { supervisedUnit } from '../../shared/domain/links/supervision-scope.ts';
import { reviewMail } from '../../shared/mail/review-mail.ts';
import { type HttpResult, htmlResponse } from '../respond.ts';
import { isReviewNotice, type RefusedReview, type ReviewNotice } from '../review-blocks.ts';
import type { RouteKey } from '../routes.ts';
import { supervisedUnitPage } from '../supervision-page.ts';
import { loadFilings } from '../unit-page.ts';
import { WORKSPACE, workspaceBar } from '../workspace/chrome.ts';
import { type Supervisor, workspacePost } from '../workspace/session.ts';
import { type Event, type HttpDeps, langOf, type Route, seeOther } from './route-kit.ts';

/** Where the workspace sends the supervisor's decision on one filed version (issue 13, "Send back"). */
export function reviewAction(unitCode: string, deliverableId: string, version: number): string {
  return `${WORKSPACE}/units/${unitCode}/files/${deliverableId}/${version}/review`;
}

/**
 * The workspace's page of one supervised unit: its filings, each current version with its
 * decision form; `refused` brings a refused decision's form back as it was posted.
 */
export async function supervisedUnitResponse(
  event: Event,
  deps: HttpDeps,
  supervisor: Supervisor,
  unit: UnitRecord,
  options: { status?: number; refused?: RefusedReview } = {},
): Promise<HttpResult> {
  const now = deps.clock.now();
  const lang = langOf(event);
  return htmlResponse(
    options.status ?? 200,
    supervisedUnitPage({
      campaign: deps.campaign,
      bar: workspaceBar(supervisor, lang),
      unit,
      filings: await loadFilings(deps, unit, now),
      now,
      lang,
      review: {
        action: (deliverableId, version) => reviewAction(unit.code, deliverableId, version),
        csrfToken: supervisor.csrfToken,
        ...(options.refused ? { refused: options.refused } : {}),
      },
      ...(isReviewNotice(event.queryStringParameters?.review)
        ? { notice: event.queryStringParameters?.review }
        : {}),
    }),
  );
}

/**
 * A supervisor's decision on a filed version: `verdict` (needs-changes or accepted), `reason`,
 * `basis` (the latest decision the page showed) and `csrf` (checked by `workspacePost`). Answered
 * with a redirect back to the unit's page, at the deliverable, with a notice; a refusal (invalid,
 * out of scope, superseded, decided meanwhile) is the error page of its status.
 */
export const reviewRoutes = {
  'POST /w/units/{unit}/files/{deliverable}/{version}/review': workspacePost(
    async (event, deps, supervisor, form) => {
      const basis = form.get('basis') ?? '';
      const unitCode = event.pathParameters?.unit ?? '';
      const deliverableId = event.pathParameters?.deliverable ?? '';
      const verdict = form.get('verdict') ?? '';
      const reason = form.get('reason') ?? '';
      let result: Awaited<ReturnType<typeof reviewVersion>>;
      try {
        result = await reviewVersion(
          { ...deps, reviewMail },
          supervisor,
          unitCode,
          deliverableId,
          event.pathParameters?.version ?? '',
          verdict,
          reason,
          /^\d{1,9}$/.test(basis) ? { basis: Number(basis) } : {},
        );
      } catch (error) {
        // Refused (invalid, or a newer version or decision came first): the page again, the
        // form as posted with why, and the decisions and versions as they now stand.
        if (!(error instanceof ValidationError || error instanceof ConflictError)) throw error;
        const unit = await supervisedUnit(deps, supervisor.body, unitCode);
        const messages = error instanceof ValidationError ? error.issues : [{ zh: error.zh, en: error.en }];
        return supervisedUnitResponse(event, deps, supervisor, unit, {
          status: error.status,
          refused: { deliverableId, verdict, reason, messages: messages.map(({ zh, en }) => ({ zh, en })) },
        });
      }
      // A mail in flight is another request's send of the same mail (a double click): no news.
      const mailNotice: Partial<Record<typeof result.mail, ReviewNotice>> = {
        failed: 'mail-failed',
        refused: 'mail-refused',
      };
      const notice: ReviewNotice = mailNotice[result.mail] ?? (result.recorded ? 'recorded' : 'repeat');
      const english = event.queryStringParameters?.lang === 'en' ? '&lang=en' : '';
      const unit = result.decision.unitCode;
      return seeOther(
        `${WORKSPACE}/units/${unit}?review=${notice}${english}#${result.decision.deliverableId}`,
      );
    },
  ),
} satisfies Partial<Record<RouteKey, Route>>;
