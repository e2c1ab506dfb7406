import { randomBytes } from 'node:crypto';
import type { ReviewerRecord, SessionRecord, UnitRecord } from '../../../../schemas/records.ts';
import type {
  AuditLog,
  LinkRepository,
  ReviewerRepository,
  SessionRepository,
  UnitRepository,
} from '../../ports.ts';
import type { Clock } from '../calendar/clock.ts';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '../errors.ts';
import { deriveToken, hashToken, LINK_NOT_FOUND, TOKEN_PATTERN } from './form-links.ts';

/**
 * The supervisors' workspace sessions (issue 13). A link (the city office's or a district bureau's
 * unit link, or a named reviewer's link) opens a session; the browser then holds only a random
 * session id in an HttpOnly, SameSite=Strict cookie, so the link's token stays out of the
 * workspace's URLs, history and referrers. The table keeps the id's SHA-256. A session ends after
 * `SESSION_IDLE_MS` without a request, after `SESSION_MAX_MS` in any case, when its link is rotated
 * or revoked, and when its body or reviewer leaves the roster or the config.
 */
export const SESSION_IDLE_MS = 60 * 60 * 1000;
export const SESSION_MAX_MS = 12 * 60 * 60 * 1000;
/** `lastSeenAt` is rewritten at most this often: a page view costs a read, not a write. */
const TOUCH_EVERY_MS = 5 * 60 * 1000;

const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** Who acts in the workspace: the supervising body, and the named reviewer acting for it, if any. */
export interface SupervisorIdentity {
  /** The city office, or a district bureau: what it supervises is `supervises(body, unit)`. */
  body: UnitRecord;
  reviewer: { id: string; name: string } | null;
  /** What the audit trail names: `reviewer:<id>`, or the body's unit code. */
  actor: string;
}

export const NO_WORKSPACE = {
  zh: '只有市教育局安稳处和各辖市（区）教育局可以进入督查工作台',
  en: 'Only the city safety office and the district bureaus have a supervision workspace',
};

export const SESSION_ENDED = {
  zh: '工作台会话已结束（长时间未操作，或链接已更换）。请重新打开您的专属链接。',
  en: 'Your workspace session has ended (idle too long, or your link changed). Open your personal link again.',
};

export function isSupervisingBody(unit: Pick<UnitRecord, 'type'>): boolean {
  return unit.type === 'city-office' || unit.type === 'district-bureau';
}

export function actorOf(body: Pick<UnitRecord, 'code'>, reviewer: { id: string } | null): string {
  return reviewer ? `reviewer:${reviewer.id}` : body.code;
}

/** A reviewer's link token: the unit-link derivation over a subject no unit code can equal. */
export function reviewerToken(
  linkKey: string,
  campaignId: string,
  reviewerId: string,
  version: number,
): string {
  return deriveToken(linkKey, campaignId, `reviewer:${reviewerId}`, version);
}

/** The reviewer's current token, or null when none was issued or it came from another key. */
export function currentReviewerToken(
  linkKey: string,
  campaignId: string,
  reviewer: ReviewerRecord,
): string | null {
  if (!reviewer.linkHash) return null;
  const token = reviewerToken(linkKey, campaignId, reviewer.id, reviewer.linkVersion);
  return hashToken(token) === reviewer.linkHash ? token : null;
}

/** Issues the reviewer's first link, or rotates it (the old one, and its sessions, die at once). */
export async function issueReviewerLink(
  reviewer: ReviewerRecord,
  campaignId: string,
  deps: { reviewers: Pick<ReviewerRepository, 'issueLink'> },
  now: Date,
  linkKey: string,
): Promise<string> {
  const linkVersion = reviewer.linkVersion + 1;
  const token = reviewerToken(linkKey, campaignId, reviewer.id, linkVersion);
  await deps.reviewers.issueLink(
    {
      reviewerId: reviewer.id,
      bodyCode: reviewer.bodyCode,
      campaignId,
      hash: hashToken(token),
      linkVersion,
      ...(reviewer.linkHash ? { replacing: reviewer.linkHash } : {}),
    },
    now,
  );
  return token;
}

export interface SessionDeps {
  clock: Clock;
  sessions: SessionRepository;
  links: Pick<LinkRepository, 'find'>;
  units: Pick<UnitRepository, 'get'>;
  reviewers: Pick<ReviewerRepository, 'get'>;
  audit: Pick<AuditLog, 'append'>;
}

/** Who a link stands for, if it is a live link of this campaign; `null` otherwise. */
async function identityOfLink(
  deps: Pick<SessionDeps, 'links' | 'units' | 'reviewers'>,
  linkHash: string,
  campaignId: string,
): Promise<SupervisorIdentity | null> {
  const link = await deps.links.find(linkHash);
  if (!link || link.revokedAt || link.campaignId !== campaignId) return null;
  const body = await deps.units.get(link.unitCode);
  if (!body || body.withdrawnAt || !isSupervisingBody(body)) return null;
  if (link.reviewerId === undefined) {
    return body.linkHash === linkHash ? { body, reviewer: null, actor: actorOf(body, null) } : null;
  }
  const reviewer = await deps.reviewers.get(link.reviewerId);
  if (!reviewer || reviewer.withdrawnAt || reviewer.linkHash !== linkHash || reviewer.bodyCode !== body.code)
    return null;
  const who = { id: reviewer.id, name: reviewer.name };
  return { body, reviewer: who, actor: actorOf(body, who) };
}

/**
 * Opens a session for the holder of `token`: a supervising body's unit link or a reviewer's link.
 * Any other token (a school's link, an unknown, revoked or foreign one) is the same `NotFoundError`
 * a form link gives, except a live school link, which is told (403, not counted as a bad token)
 * that schools have no workspace.
 */
export async function openSession(
  deps: SessionDeps,
  token: string,
  campaignId: string,
): Promise<{ id: string; session: SessionRecord; identity: SupervisorIdentity }> {
  if (!TOKEN_PATTERN.test(token)) throw new NotFoundError(LINK_NOT_FOUND);
  const linkHash = hashToken(token);
  const identity = await identityOfLink(deps, linkHash, campaignId);
  if (!identity) {
    const link = await deps.links.find(linkHash);
    const unit =
      link && !link.revokedAt && link.campaignId === campaignId && (await deps.units.get(link.unitCode));
    if (unit && !unit.withdrawnAt && unit.linkHash === linkHash && !isSupervisingBody(unit))
      throw new ForbiddenError(NO_WORKSPACE);
    throw new NotFoundError(LINK_NOT_FOUND);
  }
  const now = deps.clock.now();
  const id = randomBytes(32).toString('base64url');
  const session: SessionRecord = {
    hash: sessionHash(id),
    bodyCode: identity.body.code,
    reviewerId: identity.reviewer?.id ?? null,
    linkHash,
    csrf: randomBytes(32).toString('base64url'),
    createdAt: now.toISOString(),
    lastSeenAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + SESSION_MAX_MS).toISOString(),
  };
  await deps.sessions.create(session);
  await deps.audit.append({
    at: now.toISOString(),
    actor: identity.actor,
    action: 'workspace-opened',
    subject: identity.body.code,
    detail: {},
  });
  return { id, session, identity };
}

/** The table keeps a session under its id's SHA-256, as it keeps links under their token's. */
export const sessionHash = (id: string): string => hashToken(id);

/**
 * The live session the cookie's id names, and who acts in it. Every way a session can be over
 * is the one `UnauthorizedError`; an expired session is removed on the way.
 */
export async function resolveSession(
  deps: SessionDeps,
  id: string | undefined,
  campaignId: string,
): Promise<{ session: SessionRecord; identity: SupervisorIdentity }> {
  if (id === undefined || !SESSION_ID_PATTERN.test(id)) throw new UnauthorizedError(SESSION_ENDED);
  const hash = sessionHash(id);
  const session = await deps.sessions.get(hash);
  if (!session) throw new UnauthorizedError(SESSION_ENDED);
  const now = deps.clock.now().getTime();
  const idleSince = Date.parse(session.lastSeenAt);
  const identity =
    now < Date.parse(session.expiresAt) && now - idleSince < SESSION_IDLE_MS
      ? await identityOfLink(deps, session.linkHash, campaignId)
      : null;
  if (!identity || identity.body.code !== session.bodyCode) {
    await deps.sessions.end(hash);
    throw new UnauthorizedError(SESSION_ENDED);
  }
  if (now - idleSince >= TOUCH_EVERY_MS) {
    await deps.sessions.touch(
      hash,
      new Date(now).toISOString(),
      new Date(now - TOUCH_EVERY_MS).toISOString(),
    );
  }
  return { session, identity };
}

/** Ends the session the id names, if any: signing out twice, or with an ended session, is fine. */
export async function endSession(deps: Pick<SessionDeps, 'sessions'>, id: string | undefined): Promise<void> {
  if (id !== undefined && SESSION_ID_PATTERN.test(id)) await deps.sessions.end(sessionHash(id));
}
