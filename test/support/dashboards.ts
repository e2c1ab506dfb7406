import { fileSpool } from '../../functions/shared/adapters/fs/ledger-spool.ts';
import { type DashboardQuery, dashboardOfSnapshot } from '../../functions/shared/domain/report/dashboard.ts';
import type { CampaignInstant, DigestScope } from '../../functions/shared/domain/report/model.ts';
import { loadSnapshot } from '../../functions/shared/domain/report/snapshot.ts';
import type { Adapters } from '../../functions/shared/wiring.ts';

/**
 * The dashboard as the digest's own model draws it (`dashboardOfSnapshot` over everything read,
 * every hazard too): what the pages read from tallies and rollups are held equal to.
 */
export async function fullDashboard(
  adapters: Adapters,
  instant: CampaignInstant,
  scope: DigestScope,
  query: DashboardQuery,
) {
  const spool = await fileSpool();
  try {
    return await dashboardOfSnapshot(
      await loadSnapshot(adapters.campaign, adapters, instant, spool),
      scope,
      query,
    );
  } finally {
    await spool.dispose();
  }
}
