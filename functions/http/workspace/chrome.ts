import { type Html, html, type Lang } from '../../shared/web/html.ts';
import { t } from '../pages.ts';
import { csrfField, type Supervisor } from './session.ts';

/** The workspace's root path: the dashboard. */
export const WORKSPACE = '/w';

/** The line atop every workspace page: who acts, the way home, and signing out (a POST form). */
export function workspaceBar(supervisor: Supervisor, lang: Lang): Html {
  const who = supervisor.reviewer
    ? html`${supervisor.reviewer.name} <span class="muted">（${supervisor.body.name}）</span>`
    : supervisor.body.name;
  return html`<header class="workspace-bar"><a href="${WORKSPACE}${lang === 'en' ? '?lang=en' : ''}">${t(lang, '督查工作台', 'Supervision workspace')}</a> · ${who}
<form method="post" action="${WORKSPACE}/sign-out" class="inline">${csrfField(supervisor)}<button type="submit">${t(lang, '退出', 'Sign out')}</button></form></header>`;
}
