import type { ExportJob } from '../../../schemas/records.ts';
import { formatLocal } from '../../shared/domain/calendar/calendar.ts';
import { type Html, html, type Lang, layout } from '../../shared/web/html.ts';
import { t } from '../pages.ts';
import { EXPORT_JOBS_PATH } from './chrome.ts';

/** How often the page of a job not done yet reloads itself (a meta refresh: no script). */
export const EXPORT_REFRESH_SECONDS = 10;

export const exportJobPath = (id: string, lang: Lang) =>
  `${EXPORT_JOBS_PATH}/${id}${lang === 'en' ? '?lang=en' : ''}`;

/** `1.5 MB`, `820 KB`: the archive's size as people read it. */
function readableSize(bytes: number): string {
  if (bytes >= 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024 / 1024).toFixed(2)} GB`;
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/** A line in the page's language, the other language after it, muted (as the workspace's notices are). */
function both(lang: Lang, zh: string, en: string): Html {
  return html`${t(lang, zh, en)} <span class="muted">${t(lang, en, zh)}</span>`;
}

function state(job: ExportJob, lang: Lang): Html {
  const other: Lang = lang === 'zh' ? 'en' : 'zh';
  switch (job.status) {
    case 'pending':
      return html`<p role="status"><span class="tag warn">${t(lang, '排队中', 'Waiting')}</span> ${both(
        lang,
        '每分钟开始一批导出任务，本页会自动刷新。',
        'Exports start every minute; this page reloads by itself.',
      )}</p>${
        job.error
          ? html`<p class="muted">${t(lang, '上次尝试未成功，稍后自动重试：', 'The last try failed and is tried again: ')}${job.error[lang]} / ${job.error[other]}</p>`
          : ''
      }`;
    case 'running':
      return html`<p role="status"><span class="tag warn">${t(lang, '正在生成压缩包', 'Writing the archive')}</span> ${both(
        lang,
        '文件较多时需要几分钟，本页会自动刷新。',
        'With many files this takes minutes; this page reloads by itself.',
      )}</p>`;
    case 'done': {
      const result = job.result;
      if (!result) return html``;
      return html`<p><span class="tag ok">${t(lang, '已完成', 'Done')}</span></p>
<p><a href="${EXPORT_JOBS_PATH}/${job.id}/file">${t(lang, '下载', 'Download')} ${result.fileName}</a></p>
<p>${both(lang, `共 ${result.count} 个文件，${readableSize(result.size)}；压缩包保留一天。`, `${result.count} file(s), ${readableSize(result.size)}; the archive is kept for a day.`)}</p>`;
    }
    case 'failed':
      return html`<p><span class="tag bad">${t(lang, '导出失败', 'Export failed')}</span></p>
<p class="error" role="alert">${job.error?.[lang] ?? ''} <span class="muted">${job.error?.[other] ?? ''}</span></p>`;
  }
}

/** One export job: waiting or running (reloading itself), done with its download, or failed with why. */
export function exportJobPage(input: { job: ExportJob; bar: Html; timeZone: string; lang: Lang }): string {
  const { job, lang } = input;
  const title = t(lang, '导出全部材料', 'Export all documents');
  const waiting = job.status === 'pending' || job.status === 'running';
  return layout({
    lang,
    title,
    ...(waiting ? { refreshSeconds: EXPORT_REFRESH_SECONDS } : {}),
    switchHref: `${EXPORT_JOBS_PATH}/${job.id}`,
    body: html`
${input.bar}
<h1>${title}</h1>
<table class="facts">
<tr><th>${t(lang, '内容', 'Contents')}</th><td>${job.allVersions ? t(lang, '全部版本', 'every version') : t(lang, '当前版本', 'current versions')}</td></tr>
<tr><th>${t(lang, '发起时间', 'Asked at')}</th><td>${formatLocal(new Date(job.requestedAt), input.timeZone)}</td></tr>
</table>
${state(job, lang)}
${waiting ? html`<p><a href="${exportJobPath(job.id, lang)}">${t(lang, '刷新', 'Reload')}</a></p>` : ''}`,
  });
}
