import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { z } from 'zod';
import type { Campaign } from '../../../schemas/campaign.ts';
import type { PendingUpload, UnitRecord } from '../../../schemas/records.ts';
import { parseWith } from '../../../schemas/validation.ts';
import type { Clock } from '../../shared/domain/calendar/clock.ts';
import { NotFoundError, TooManyRequestsError, ValidationError } from '../../shared/domain/errors.ts';
import { DownloadExpiredError } from '../../shared/domain/filing/download-links.ts';
import { hazardForViewer } from '../../shared/domain/hazards/hazard-service.ts';
import { BAD_TOKEN_LIMIT, resolveLink } from '../../shared/domain/links/form-links.ts';
import type { Logger } from '../../shared/logger.ts';
import type {
  AuditLog,
  BadTokenCounter,
  BounceLog,
  DocumentStore,
  DocumentsArchiveWriter,
  DownloadLinkRepository,
  ExportJobRepository,
  HazardImportRepository,
  HazardRepository,
  LinkRepository,
  Mailer,
  MailLog,
  Outbox,
  PendingUploadRepository,
  ReviewerRepository,
  RollupRepository,
  SanctionRepository,
  SessionRepository,
  SubmissionRepository,
  UnitRepository,
  UploadLedger,
  ZeroReportRepository,
} from '../../shared/ports.ts';
import type { InvocationDeps } from '../../shared/telemetry.ts';
import { pickLang } from '../../shared/web/html.ts';
import { contentSecurityPolicy } from '../../shared/web/security-headers.ts';
import { jsonBody } from '../request-body.ts';
import { type Format, type HttpResult, htmlResponse, jsonResponse } from '../respond.ts';
import { prepareForm } from '../unit-page.ts';

/** What the HTTP function's routes share: its dependencies, the route shape, and the helpers of form-link routes. */
export interface HttpDeps extends InvocationDeps {
  clock: Clock;
  logger: Logger;
  /** The campaign config, read once per container. */
  campaign: Campaign;
  links: LinkRepository;
  downloads: DownloadLinkRepository;
  units: UnitRepository;
  /** The district rollups the dashboard counts from. */
  rollups: RollupRepository;
  submissions: SubmissionRepository;
  pending: PendingUploadRepository;
  ledger: UploadLedger;
  documents: DocumentStore;
  badTokens: BadTokenCounter;
  hazards: HazardRepository;
  zeroReports: ZeroReportRepository;
  audit: AuditLog;
  imports: HazardImportRepository;
  sessions: SessionRepository;
  reviewers: ReviewerRepository;
  /** Summons and circulars (约谈/通报). */
  sanctions: SanctionRepository;
  /** Writes supervisors' document archives under exports/. */
  archives: DocumentsArchiveWriter;
  /** Supervisors' documents exports as jobs: asked for here, written by the export-jobs function. */
  exportJobs: ExportJobRepository;
  /** Read for the office's and the bureaus' own pages: units whose contact address bounces. */
  bounces: Pick<BounceLog, 'all'>;
  /**
   * Mail sent while a request is answered, each once through the mail log: a review decision's
   * mail to the unit; hazard notices (receipt, major hazard), owed in the outbox with the change.
   */
  mailer: Mailer;
  mailLog: MailLog;
  outbox: Outbox;
}

export type Event = APIGatewayProxyEventV2;
export interface Route {
  format: Format;
  handle(event: Event, deps: HttpDeps): Promise<HttpResult>;
}

export const langOf = (event: Event) =>
  pickLang(event.queryStringParameters, event.headers['accept-language']);

/** The site's own address as the browser sees it, for the upload form's redirect back. */
export function publicBase(event: Event): string {
  const proto = event.headers['x-forwarded-proto'] ?? 'https';
  return `${proto}://${event.headers.host ?? event.requestContext.domainName}`;
}

export const SERVER_ERROR_KEEPS_FORM = {
  zh: '系统暂时出错，您填写的内容保留在下方；请稍后再次提交（不会重复登记）',
  en: 'Something went wrong on our side; what you typed is kept below. Submit again in a moment (it will not be recorded twice)',
};

export const TOO_MANY = {
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
export async function guarded<T>(event: Event, deps: HttpDeps, lookup: () => Promise<T>): Promise<T> {
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
export function unitOf(event: Event, deps: HttpDeps): Promise<UnitRecord> {
  return guarded(event, deps, () => resolveLink(event.pathParameters?.token ?? '', deps, deps.campaign.id));
}

export function formPath(event: Event): string {
  return `/f/${event.pathParameters?.token ?? ''}`;
}

/** Where S3 sends the browser back after an upload: the unit's page, with a notice, at the deliverable. */
export function uploadedUrl(event: Event, deliverableId: string): string {
  return `${publicBase(event)}${formPath(event)}?uploaded=${encodeURIComponent(deliverableId)}#${deliverableId}`;
}

export function seeOther(location: string): HttpResult {
  return { statusCode: 303, headers: { Location: location }, body: '' };
}

/** Unit names for display, read once per page (a hazard page names at most a few units). */
export async function unitNames(deps: HttpDeps, codes: Iterable<string>): Promise<(code: string) => string> {
  const names = new Map<string, string>();
  for (const code of new Set(codes)) names.set(code, (await deps.units.get(code))?.name ?? code);
  return (code) => names.get(code) ?? code;
}

/** A JSON body checked by `schema`; malformed JSON or a bad field is a `ValidationError`. */
export function parseBody<S extends z.ZodType>(event: Event, schema: S): z.output<S> {
  const parsed = parseWith(schema, jsonBody(event));
  if (!parsed.ok) throw new ValidationError(parsed.issues);
  return parsed.value;
}

/** The answer to a request for an upload form: the signed POST, its key and when it expires. */
export async function signedForm(deps: HttpDeps, pending: PendingUpload, back: string): Promise<HttpResult> {
  const form = await prepareForm(deps, pending, back);
  return jsonResponse(200, { ...form, key: pending.key, expiresAt: pending.expiresAt });
}

/** An HTML page holding upload forms: its CSP lets forms post to their storage origins. */
export function pageWithForms(body: string, forms: readonly { url: string }[]): HttpResult {
  const origins = [...new Set(forms.map((f) => new URL(f.url).origin))];
  return htmlResponse(200, body, { 'Content-Security-Policy': contentSecurityPolicy(origins) });
}

/** The hazard a `/hazards/{unit}/{id}` path names, as `viewer` may see it. */
export function hazardOfPath(event: Event, deps: HttpDeps, viewer: UnitRecord) {
  return hazardForViewer(deps, viewer, event.pathParameters?.unit ?? '', event.pathParameters?.id ?? '');
}

/** Where S3 sends the browser back after a hazard photo or plan: the hazard's page, with a notice. */
export function photoBack(event: Event, hazard: { unitCode: string; id: string }): string {
  return `${publicBase(event)}${formPath(event)}/hazards/${hazard.unitCode}/${hazard.id}?uploaded=photo`;
}
