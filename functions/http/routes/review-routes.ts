import { reviewVersion } from '../../shared/domain/filing/reviews.ts';
import { reviewMail } from '../../shared/mail/review-mail.ts';
import type { ReviewNotice } from '../review-blocks.ts';
import type { RouteKey } from '../routes.ts';
import { WORKSPACE } from '../workspace/chrome.ts';
import { workspacePost } from '../workspace/session.ts';
import { type Route, seeOther } from './route-kit.ts';

/** Where the workspace sends the supervisor's decision on one filed version (issue 13, "Send back"). */
export function reviewAction(unitCode: string, deliverableId: string, version: number): string {
  return `${WORKSPACE}/units/${unitCode}/files/${deliverableId}/${version}/review`;
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
      const result = await reviewVersion(
        { ...deps, reviewMail },
        supervisor,
        unitCode,
        deliverableId,
        event.pathParameters?.version ?? '',
        form.get('verdict') ?? '',
        form.get('reason') ?? '',
        /^\d{1,9}$/.test(basis) ? { basis: Number(basis) } : {},
      );
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
