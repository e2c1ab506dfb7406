import { newExportFormKey } from '../../shared/domain/filing/export-jobs.ts';
import { type Html, html, type Lang } from '../../shared/web/html.ts';
import { t } from '../pages.ts';
import { csrfField, type Supervisor } from './session.ts';

/** The workspace's root path: the dashboard. */
export const WORKSPACE = '/w';

/** Where the workspace's export form posts: a job that writes the ZIP (`routes/export-routes.ts`). */
export const EXPORT_JOBS_PATH = `${WORKSPACE}/export/jobs`;

/**
 * A button that asks for every document in scope as one ZIP (or with every version): a POST form
 * with its own one-time key (`exportKey`, apart from the `formKey` of a page's own form), so a
 * double click asks once. It works without a script; the job's page follows.
 */
function exportForm(supervisor: Supervisor, lang: Lang, versions: 'current' | 'all'): Html {
  const label =
    versions === 'all'
      ? t(lang, '含历史版本', 'with every version')
      : t(lang, '下载全部材料（ZIP）', 'All documents (ZIP)');
  return html`<form method="post" action="${EXPORT_JOBS_PATH}${lang === 'en' ? '?lang=en' : ''}" class="inline">${csrfField(supervisor)}<input type="hidden" name="exportKey" value="${newExportFormKey()}"><input type="hidden" name="versions" value="${versions}"><button type="submit">${label}</button></form>`;
}

/** The line atop every workspace page: who acts, the way home, and signing out (a POST form). */
export function workspaceBar(supervisor: Supervisor, lang: Lang): Html {
  const who = supervisor.reviewer
    ? html`${supervisor.reviewer.name} <span class="muted">（${supervisor.body.name}）</span>`
    : supervisor.body.name;
  const en = lang === 'en' ? '?lang=en' : '';
  return html`<header class="workspace-bar"><a href="${WORKSPACE}${en}">${t(lang, '督查工作台', 'Supervision workspace')}</a> · ${who}
<nav aria-label="${t(lang, '工作台', 'Workspace')}"><a href="${WORKSPACE}/sanctions${en}">${t(lang, '约谈/通报', 'Summons and circulars')}</a> · ${exportForm(supervisor, lang, 'current')} ${exportForm(supervisor, lang, 'all')}</nav>
<form method="post" action="${WORKSPACE}/sign-out" class="inline">${csrfField(supervisor)}<button type="submit">${t(lang, '退出', 'Sign out')}</button></form></header>`;
}
