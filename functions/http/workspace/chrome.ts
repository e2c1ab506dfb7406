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
  const en = lang === 'en' ? '?lang=en' : '';
  return html`<header class="workspace-bar"><a href="${WORKSPACE}${en}">${t(lang, '督查工作台', 'Supervision workspace')}</a> · ${who}
<nav aria-label="${t(lang, '工作台', 'Workspace')}"><a href="${WORKSPACE}/sanctions${en}">${t(lang, '约谈/通报', 'Summons and circulars')}</a> · <a href="${WORKSPACE}/export/documents.zip">${t(lang, '下载全部材料（ZIP）', 'All documents (ZIP)')}</a> · <a href="${WORKSPACE}/export/documents.zip?versions=all">${t(lang, '含历史版本', 'with every version')}</a></nav>
<form method="post" action="${WORKSPACE}/sign-out" class="inline">${csrfField(supervisor)}<button type="submit">${t(lang, '退出', 'Sign out')}</button></form></header>`;
}
