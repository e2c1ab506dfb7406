/**
 * Display names of uploaded files. The name is only ever shown and sent back as a download
 * name; the S3 key never contains it. Cleaning follows the OWASP File Upload cheat sheet.
 */
export const MAX_DISPLAY_NAME = 100;
/** Longer names than this are refused: no file system or mail client keeps them. */
export const MAX_RAW_NAME = 255;

// C0 and C1 controls and DEL; bidi embeddings/overrides U+202A–202E and isolates U+2066–2069;
// the invisible marks U+200E/U+200F that can reorder a name the same way.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export type NameProblem = 'empty' | 'nul' | 'no-extension' | 'too-long';

export interface CleanName {
  name: string;
  /** Lower-case extension after the last dot, as decoded. */
  extension: string;
}

function percentDecoded(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * Cleans a file name as a browser sent it: percent-decoded, path parts dropped, controls and bidi
 * overrides removed, `..` removed, length capped (keeping the extension). A NUL anywhere is
 * refused rather than stripped: `a.php%00.pdf` is an attack, not a PDF.
 */
export function cleanDisplayName(raw: string): CleanName | NameProblem {
  const decoded = percentDecoded(raw).normalize('NFC');
  if (decoded.includes('\u0000')) return 'nul';
  const base = decoded.split(/[\\/]/).pop() ?? '';
  if ([...base].length > MAX_RAW_NAME) return 'too-long';
  const cleaned = base.replace(UNSAFE, '').replaceAll('..', '.').trim().replace(/^\.+/, '');
  if (cleaned === '') return 'empty';
  const dot = cleaned.lastIndexOf('.');
  if (dot <= 0 || dot === cleaned.length - 1) return 'no-extension';
  const written = cleaned.slice(dot + 1);
  const stem = cleaned.slice(0, dot);
  const chars = [...stem];
  const room = MAX_DISPLAY_NAME - written.length - 1;
  const name = `${chars.length > room ? chars.slice(0, room).join('').trimEnd() : stem}.${written}`;
  const extension = written.toLowerCase();
  return { name, extension };
}

export type Disposition = 'inline' | 'attachment';

/**
 * `Content-Disposition` for a file: an ASCII fallback and the exact UTF-8 name (RFC 6266 / 5987).
 * `inline` opens it in the browser (a PDF or photo), `attachment` saves it.
 */
export function contentDisposition(name: string, disposition: Disposition = 'attachment'): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${disposition}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
