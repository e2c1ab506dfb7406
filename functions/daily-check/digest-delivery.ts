import type { Readable } from 'node:stream';
import { createDownloadLink } from '../shared/domain/filing/download-links.ts';
import { XLSX_CONTENT_TYPE } from '../shared/domain/filing/file-types.ts';
import type { Digest, LedgerRow } from '../shared/domain/report/model.ts';
import { digestAttachmentName, digestMailContent } from '../shared/mail/digest-mail.ts';
import type { MailContent } from '../shared/mail/envelope.ts';
import type { MailAttachment } from '../shared/ports.ts';
import type { DailyCheckDeps } from './deps.ts';

/** A larger spreadsheet is stored in S3 and linked, not attached. */
export const ATTACHMENT_LIMIT_BYTES = 10 * 1024 * 1024;

export type DigestDeliveryDeps = Pick<
  DailyCheckDeps,
  'campaign' | 'digestWorkbook' | 'documents' | 'downloads' | 'clock' | 'appUrl'
>;

/**
 * Renders one scope's digest mail: the spreadsheet (its ledger read from the spool) attached,
 * or, over `ATTACHMENT_LIMIT_BYTES`, stored and linked for `DOWNLOAD_LINK_DAYS`.
 */
export async function renderDigestMail(
  deps: DigestDeliveryDeps,
  digest: Digest,
  ledger: AsyncIterable<LedgerRow>,
): Promise<MailContent> {
  const workbook = await deps.digestWorkbook(deps.campaign, digest, ledger);
  const name = digestAttachmentName(digest);
  let attachments: MailAttachment[] = [];
  let downloadUrl: string | undefined;
  let body: Readable | undefined;
  try {
    if (workbook.size > ATTACHMENT_LIMIT_BYTES) {
      body = workbook.stream();
      const stored = await deps.documents.upload({
        prefix: `digests/${digest.day}`,
        body,
        size: workbook.size,
        contentType: XLSX_CONTENT_TYPE,
      });
      const path = await createDownloadLink(
        deps,
        { fileKey: stored.key, fileName: name, contentType: XLSX_CONTENT_TYPE },
        deps.clock.now(),
      );
      downloadUrl = new URL(path, deps.appUrl).toString();
    } else {
      attachments = [{ filename: name, content: await workbook.bytes(), contentType: XLSX_CONTENT_TYPE }];
    }
  } finally {
    body?.destroy();
    await workbook.dispose();
  }
  return digestMailContent(deps.campaign, digest, {
    attachmentName: name,
    ...(downloadUrl ? { downloadUrl } : {}),
    attachments,
  });
}
