/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** A tagged template that escapes every interpolation unless it is already `Html`. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Part = Html | string | number | null | undefined | false | readonly Part[];

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return '';
  if (part instanceof Html) return part.value;
  if (Array.isArray(part)) return part.map(render).join('');
  return escapeHtml(part);
}

export function html(strings: TemplateStringsArray, ...parts: Part[]): Html {
  return new Html(
    strings.reduce((out, s, i) => out + s + (i < parts.length ? render(parts[i] as Part) : ''), ''),
  );
}

export type Lang = 'zh' | 'en';

/** Chinese unless `?lang=en`, or English is preferred over Chinese in Accept-Language. */
export function pickLang(
  query: Record<string, string | undefined> | undefined,
  acceptLanguage?: string,
): Lang {
  const asked = query?.lang;
  if (asked === 'en' || asked === 'zh') return asked;
  if (!acceptLanguage) return 'zh';
  const ranked = acceptLanguage
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().toLowerCase().split(';');
      const q = Number(params.find((p) => p.trim().startsWith('q='))?.split('=')[1] ?? '1');
      return { tag, q: Number.isNaN(q) ? 0 : q, index };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  const first = ranked.find((entry) => entry.tag.startsWith('zh') || entry.tag.startsWith('en'));
  return first?.tag.startsWith('en') ? 'en' : 'zh';
}

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;color:#1a1a1a;background:#f5f6f8}
main{max-width:40rem;margin:0 auto;padding:1rem}h1{font-size:1.3rem;margin:.5rem 0}h2{font-size:1.1rem;margin:1.2rem 0 .4rem}
.card{background:#fff;border-radius:8px;padding:.8rem 1rem;margin:.6rem 0;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.muted{color:#5f6368;font-size:.9rem}.tag{display:inline-block;padding:0 .5rem;border-radius:4px;font-size:.85rem}
.ok{background:#e6f4ea;color:#137333}.warn{background:#fef7e0;color:#8a5a00}.bad{background:#fce8e6;color:#a50e0e}
nav{text-align:right;font-size:.9rem}a{color:#1a56c4;word-break:break-all}
form.upload{margin-top:.6rem;border-top:1px solid #e3e5e8;padding-top:.6rem}input[type=file]{max-width:100%;margin:.3rem 0}
button{font-size:1rem;padding:.4rem 1.2rem;border:0;border-radius:6px;background:#1a56c4;color:#fff}
form.inline{display:inline}nav form.inline button{font-size:.85rem;padding:.1rem .6rem}
.error{color:#a50e0e}.notice{background:#e8f0fe;padding:.5rem .8rem;border-radius:6px}
form.hazard label,form.action label{display:block;margin:.6rem 0}
form.hazard input,form.hazard select,form.hazard textarea,form.action input,form.action textarea{display:block;width:100%;font:inherit;padding:.35rem;margin-top:.2rem}
form.action{margin:.6rem 0}form.review input[type=radio]{display:inline;width:auto}.decisions{font-size:.9rem;padding-left:1rem}fieldset{border:1px solid #d0d4d9;border-radius:6px;margin:.8rem 0;padding:.4rem .8rem}
table.facts{border-collapse:collapse;width:100%}table.facts th{text-align:left;white-space:nowrap;vertical-align:top;padding:.2rem .6rem .2rem 0;color:#5f6368;font-weight:normal}
table.facts td{padding:.2rem 0;word-break:break-word}.hazards li,.history li{margin:.5rem 0}
.versions{padding-left:1.4rem}.versions li,.rejected li{margin:.3rem 0}.rejected{color:#a50e0e;font-size:.9rem}
.sha256{font-family:ui-monospace,monospace;font-size:.8rem;overflow-wrap:anywhere;word-break:break-all}
`;

/** The page shell: mobile viewport, no scripts, the language switch. */
export function layout(input: {
  lang: Lang;
  title: string;
  body: Html;
  switchHref?: string;
  /** A page's own rules, after the shared ones (a wide page's tables, say). */
  style?: string;
  /** Reload the page every this many seconds (a page that waits for work, with no script). */
  refreshSeconds?: number;
}): string {
  const other = input.lang === 'zh' ? { lang: 'en', label: 'English' } : { lang: 'zh', label: '中文' };
  const nav = input.switchHref
    ? html`<nav><a href="${input.switchHref}?lang=${other.lang}" hreflang="${other.lang}">${other.label}</a></nav>`
    : '';
  return `<!doctype html>${html`<html lang="${input.lang === 'zh' ? 'zh-CN' : 'en'}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">${input.refreshSeconds ? html`<meta http-equiv="refresh" content="${String(input.refreshSeconds)}">` : ''}<title>${input.title}</title><style>${new Html(STYLE + (input.style ?? ''))}</style></head><body><main>${nav}${input.body}</main></body></html>`}`;
}
