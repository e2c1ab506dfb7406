import { randomBytes } from 'node:crypto';
import type { DocumentStore, DownloadLinkRepository } from '../../ports.ts';
import { NotFoundError } from '../errors.ts';
import { hashToken } from '../links/form-links.ts';

/**
 * Download links for files too large to mail. A presigned S3 URL in the mail itself would stop
 * working when the credentials that signed it expire, which for a Lambda role is within hours;
 * so the mail carries `/d/<token>` and the HTTP function signs a five-minute download when the
 * link is followed. The bucket's lifecycle keeps digests 30 days; links work for 28.
 */
export const DOWNLOAD_LINK_DAYS = 28;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export const DOWNLOAD_NOT_FOUND = {
  zh: '下载链接无效',
  en: 'This download link is not valid',
};

export const DOWNLOAD_EXPIRED = {
  zh: `下载链接已过期（有效期 ${DOWNLOAD_LINK_DAYS} 天）。最新数据见当日的汇总邮件`,
  en: `This download link has expired (links work for ${DOWNLOAD_LINK_DAYS} days). The latest digest has the current data`,
};

/** Thrown for a link that existed but ran out: not counted as a bad token (a person clicked late). */
export class DownloadExpiredError extends NotFoundError {
  constructor() {
    super(DOWNLOAD_EXPIRED);
  }
}

/** Makes a link to the stored file `fileKey`; returns its path, `/d/<token>`. */
export async function createDownloadLink(
  deps: { downloads: DownloadLinkRepository },
  file: { fileKey: string; fileName: string; contentType: string },
  now: Date,
): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await deps.downloads.create({
    hash: hashToken(token),
    ...file,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + DOWNLOAD_LINK_DAYS * 86_400_000).toISOString(),
  });
  return `/d/${token}`;
}

/** Where a download link leads now: a freshly signed URL, or `NotFoundError` / `DownloadExpiredError`. */
export async function followDownloadLink(
  deps: { downloads: DownloadLinkRepository; documents: Pick<DocumentStore, 'presignGet'> },
  token: string,
  now: Date,
): Promise<string> {
  const link = TOKEN_PATTERN.test(token) ? await deps.downloads.find(hashToken(token)) : null;
  if (!link) throw new NotFoundError(DOWNLOAD_NOT_FOUND);
  if (now.getTime() >= new Date(link.expiresAt).getTime()) throw new DownloadExpiredError();
  return deps.documents.presignGet(link.fileKey, link.fileName, link.contentType);
}
