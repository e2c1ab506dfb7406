import { timingSafeEqual } from 'node:crypto';
import { ForbiddenError } from '../../shared/domain/errors.ts';
import { openSession, resolveSession, type SupervisorIdentity } from '../../shared/domain/links/sessions.ts';
import { type Html, html, type Lang } from '../../shared/web/html.ts';
import { t } from '../pages.ts';
import { formBody } from '../request-body.ts';
import { type HttpResult, htmlResponse } from '../respond.ts';
import { type Event, guarded, type HttpDeps, langOf, type Route } from '../routes/route-kit.ts';

/**
 * The workspace's half of the session (the rules are in `domain/links/sessions.ts`): the cookie,
 * the CSRF check, and route wrappers that hand a route the `Supervisor` acting in it.
 */
export const SESSION_COOKIE = 'ssc_session';

/** Who acts in a workspace request, with the token its POST forms must carry. */
export interface Supervisor extends SupervisorIdentity {
  csrfToken: string;
}

export function sessionIdOf(event: Event): string | undefined {
  for (const cookie of event.cookies ?? []) {
    const eq = cookie.indexOf('=');
    if (eq > 0 && cookie.slice(0, eq).trim() === SESSION_COOKIE) return cookie.slice(eq + 1).trim();
  }
  return undefined;
}

/** Secure wherever the site is served over HTTPS (API Gateway always is); the local runtime is plain HTTP. */
function cookieAttributes(event: Event): string {
  const secure = (event.headers['x-forwarded-proto'] ?? 'https') === 'https';
  return `Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

export function sessionCookie(event: Event, id: string, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${id}; Max-Age=${maxAgeSeconds}; ${cookieAttributes(event)}`;
}

export function clearedSessionCookie(event: Event): string {
  return `${SESSION_COOKIE}=; Max-Age=0; ${cookieAttributes(event)}`;
}

/** The hidden field every workspace POST form carries. */
export function csrfField(supervisor: Pick<Supervisor, 'csrfToken'>): Html {
  return html`<input type="hidden" name="csrf" value="${supervisor.csrfToken}">`;
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const CSRF_REFUSED = {
  zh: '表单已过期或来源不明（csrf），请返回页面刷新后重新提交',
  en: 'The form is stale or did not come from this site (csrf); go back, reload the page and submit again',
};

async function supervisorOf(event: Event, deps: HttpDeps): Promise<Supervisor> {
  const { session, identity } = await resolveSession(deps, sessionIdOf(event), deps.campaign.id);
  return { ...identity, csrfToken: session.csrf };
}

/** A workspace page (GET): the route runs only inside a live session. */
export function workspaceGet(
  handle: (event: Event, deps: HttpDeps, supervisor: Supervisor) => Promise<HttpResult>,
): Route {
  return {
    format: 'html',
    handle: async (event, deps) => handle(event, deps, await supervisorOf(event, deps)),
  };
}

/**
 * A workspace action (POST, a form): the route runs only inside a live session and only when the
 * form carries the session's CSRF token (SameSite=Strict already keeps other sites' posts from
 * carrying the cookie; the token also stops a post from a page of this site opened another way).
 */
export function workspacePost(
  handle: (
    event: Event,
    deps: HttpDeps,
    supervisor: Supervisor,
    form: URLSearchParams,
  ) => Promise<HttpResult>,
): Route {
  return {
    format: 'html',
    handle: async (event, deps) => {
      const supervisor = await supervisorOf(event, deps);
      const form = formBody(event);
      if (!sameToken(form.get('csrf') ?? '', supervisor.csrfToken)) throw new ForbiddenError(CSRF_REFUSED);
      return handle(event, deps, supervisor, form);
    },
  };
}

/** Where a workspace entry may send the browser on: a workspace path on this site, nothing else. */
export function workspaceTarget(next: string | undefined): string {
  // Path segments never start with a dot and hold no escapes, so nothing resolves outside /w.
  return next !== undefined && /^\/w(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*\/?(\?[A-Za-z0-9._~%=&+-]*)?$/.test(next)
    ? next
    : '/w';
}

/**
 * `GET /w/return?next=…`: where S3 sends the browser back after an upload from the workspace.
 * Like the entry, a 200 page that moves on: S3's redirect comes from another site, so the session's
 * SameSite=Strict cookie is not sent with it, but is with this page's own navigation.
 */
export function returnToWorkspace(event: Event): HttpResult {
  const lang = langOf(event);
  return htmlResponse(200, enterPage(workspaceTarget(event.queryStringParameters?.next), lang, ''));
}

function enterPage(target: string, lang: Lang, name: string): string {
  // A 200 page that moves on, not a 303: a browser arriving from a mail (another site) would not
  // send a SameSite=Strict cookie on the redirect it followed, but does on this page's own navigation.
  const title = t(lang, '进入督查工作台', 'Entering the supervision workspace');
  return `<!doctype html>${html`<html lang="${lang === 'zh' ? 'zh-CN' : 'en'}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><meta http-equiv="refresh" content="0;url=${target}"><title>${title}</title></head><body><main><h1>${title}</h1><p>${name}</p><p><a href="${target}">${t(lang, '如果页面没有自动跳转，请点这里', 'If nothing happens, follow this link')}</a></p></main></body></html>`}`;
}

/**
 * Opens a session for the link in the path and moves on to the workspace path `next`. Each entry
 * opens a new session (and says so in the audit trail); the cookie replaces any earlier one.
 */
export async function enterWorkspace(
  event: Event,
  deps: HttpDeps,
  next: string | undefined,
): Promise<HttpResult> {
  const token = event.pathParameters?.token ?? '';
  const lang = langOf(event);
  const target = workspaceTarget(next);
  const { id, session, identity } = await guarded(event, deps, () =>
    openSession(deps, token, deps.campaign.id),
  );
  const maxAge = Math.floor((Date.parse(session.expiresAt) - deps.clock.now().getTime()) / 1000);
  const who = identity.reviewer ? `${identity.reviewer.name} · ${identity.body.name}` : identity.body.name;
  return { ...htmlResponse(200, enterPage(target, lang, who)), cookies: [sessionCookie(event, id, maxAge)] };
}
