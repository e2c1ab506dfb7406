import type { Campaign } from '../../schemas/campaign.ts';
import type { Clock } from '../shared/domain/calendar/clock.ts';
import type { Digest, LedgerRow, LedgerSpool } from '../shared/domain/report/model.ts';
import type { CampaignReaders } from '../shared/domain/report/snapshot.ts';
import type { Logger } from '../shared/logger.ts';
import type {
  DocumentStore,
  DownloadLinkRepository,
  Mailer,
  MailLog,
  RunLeases,
  ScratchFile,
} from '../shared/ports.ts';

export interface DailyCheckDeps extends CampaignReaders {
  campaign: Campaign;
  linkKey: string;
  /** The public base URL of the form pages, e.g. `https://….execute-api….amazonaws.com`. */
  appUrl: string;
  clock: Clock;
  logger: Logger;
  mailLog: MailLog;
  runLeases: RunLeases;
  mailer: Mailer;
  /** Stops the run between two mails (local Ctrl-C): it records where it stands and releases the day. */
  signal?: AbortSignal;
  /** Send lanes (default `SEND_CONCURRENCY`); also the most mails a crash can leave in doubt. */
  sendConcurrency?: number;
  documents: Pick<DocumentStore, 'upload'>;
  downloads: DownloadLinkRepository;
  digestWorkbook(campaign: Campaign, digest: Digest, ledger: AsyncIterable<LedgerRow>): Promise<ScratchFile>;
  /** Where one run spools its ledger rows (a scratch directory in Lambda); disposed when the run ends. */
  ledgerSpool(): Promise<LedgerSpool & { dispose(): Promise<void> }>;
}
