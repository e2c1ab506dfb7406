import type { FileType } from '../../../../schemas/campaign.ts';

/** What the first bytes of a file say it is (OWASP File Upload: trust the content, not the name). */
export type Signature = 'pdf' | 'png' | 'jpeg' | 'zip' | 'ole';

const SIGNATURES: readonly [Signature, readonly number[]][] = [
  ['pdf', [0x25, 0x50, 0x44, 0x46, 0x2d]], // %PDF-
  ['png', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  ['jpeg', [0xff, 0xd8, 0xff]],
  ['zip', [0x50, 0x4b, 0x03, 0x04]], // docx, xlsx (OOXML containers)
  ['ole', [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]], // doc, xls, wps (OLE2 compound files)
];

/** How many leading bytes `detectSignature` needs. */
export const SIGNATURE_BYTES = 8;

export function detectSignature(bytes: Uint8Array): Signature | null {
  for (const [signature, magic] of SIGNATURES) {
    if (magic.every((byte, i) => bytes[i] === byte)) return signature;
  }
  return null;
}

/** Excel's workbook type: accepted uploads, the digest's attachment and the office's downloads. */
export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export const FILE_TYPE_INFO: Record<
  FileType,
  { signature: Signature; contentType: string; extensions: string[] }
> = {
  pdf: { signature: 'pdf', contentType: 'application/pdf', extensions: ['pdf'] },
  doc: { signature: 'ole', contentType: 'application/msword', extensions: ['doc'] },
  docx: {
    signature: 'zip',
    contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    extensions: ['docx'],
  },
  wps: { signature: 'ole', contentType: 'application/vnd.ms-works', extensions: ['wps'] },
  xls: { signature: 'ole', contentType: 'application/vnd.ms-excel', extensions: ['xls'] },
  xlsx: {
    signature: 'zip',
    contentType: XLSX_CONTENT_TYPE,
    extensions: ['xlsx'],
  },
  jpg: { signature: 'jpeg', contentType: 'image/jpeg', extensions: ['jpg', 'jpeg'] },
  png: { signature: 'png', contentType: 'image/png', extensions: ['png'] },
};

/** The accepted file type an extension names, or null. */
export function fileTypeOfExtension(extension: string, accepted: readonly FileType[]): FileType | null {
  const lower = extension.toLowerCase();
  return accepted.find((type) => FILE_TYPE_INFO[type].extensions.includes(lower)) ?? null;
}

/** The first accepted type whose signature the content has (for uploads that came without a name). */
export function fileTypeOfSignature(signature: Signature, accepted: readonly FileType[]): FileType | null {
  return accepted.find((type) => FILE_TYPE_INFO[type].signature === signature) ?? null;
}

/** Types a browser shows by itself: these open inline; anything else (Word, WPS, Excel) is saved. */
const SHOWN_INLINE: ReadonlySet<string> = new Set(
  (['pdf', 'jpg', 'png'] as const).map((type) => FILE_TYPE_INFO[type].contentType),
);

/** How a filed document is opened for reading: inline for PDF and photos, else as a download. */
export function dispositionFor(contentType: string): 'inline' | 'attachment' {
  return SHOWN_INLINE.has(contentType) ? 'inline' : 'attachment';
}
