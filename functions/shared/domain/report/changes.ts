import type { Campaign } from '../../../../schemas/campaign.ts';
import type { HazardRecord, SubmissionPointer, UnitRecord } from '../../../../schemas/records.ts';
import { hazardDeadline } from '../hazards/hazard-lifecycle.ts';
import { changedSince } from './instant.ts';
import type { CampaignInstant, Change, ChangeKind, UnitState } from './model.ts';

/**
 * What changed in the day before a check (`changedSince`): filings, deliverables that became
 * overdue, and what happened to hazards. The hazards' changes are taken as the pass reads them
 * (`hazardChanges`); the rest from the held records (`filingChanges`); `inDigestOrder` sorts the
 * lot once.
 */

/** The changes one hazard made in the window. */
export function hazardChanges(
  hazard: HazardRecord,
  unit: Pick<UnitRecord, 'code' | 'name' | 'district'>,
  instant: CampaignInstant,
): Change[] {
  const within = changedSince(instant);
  const base = {
    unitCode: unit.code,
    unitName: unit.name,
    district: unit.district,
    subject: `${hazard.id} ${hazard.title}`,
    level: hazard.level,
  };
  const changes: Change[] = [];
  // A withdrawn report is only its withdrawal: it was never a hazard on the books.
  if (hazard.status === 'withdrawn') {
    const at = hazard.withdrawal?.at;
    return within(at) ? [{ ...base, kind: 'hazard-withdrawn', ...(at ? { at } : {}) }] : [];
  }
  if (within(hazard.createdAt)) changes.push({ ...base, kind: 'hazard-reported', at: hazard.createdAt });
  if (hazard.status === 'closed' && within(hazard.closedAt))
    changes.push({ ...base, kind: 'hazard-closed', ...(hazard.closedAt ? { at: hazard.closedAt } : {}) });
  else if (hazard.status === 'awaiting-acceptance' && within(hazard.rectification?.at))
    changes.push({
      ...base,
      kind: 'acceptance-requested',
      ...(hazard.rectification ? { at: hazard.rectification.at } : {}),
    });
  if (hazard.level === 'major' && hazard.status !== 'closed' && hazardDeadline(hazard) === instant.yesterday)
    changes.push({ ...base, kind: 'major-became-overdue' });
  return changes;
}

/** Filings in the window, and deliverables that became overdue today, of the units in `units`. */
export function filingChanges(
  campaign: Campaign,
  pointers: readonly SubmissionPointer[],
  units: readonly UnitState[],
  instant: CampaignInstant,
): Change[] {
  const within = changedSince(instant);
  const names = new Map(campaign.deliverables.map((d) => [d.id, d.name.zh]));
  const byCode = new Map(units.map((u) => [u.unit.code, u]));
  const changes: Change[] = [];
  for (const p of pointers) {
    const unit = byCode.get(p.unitCode);
    if (!unit) continue;
    const base = { unitCode: unit.unit.code, unitName: unit.unit.name, district: unit.unit.district };
    const subject = names.get(p.deliverableId) ?? p.deliverableId;
    if (within(p.firstReceivedAt))
      changes.push({ ...base, kind: 'filed', subject, at: p.firstReceivedAt, late: !p.firstOnTime });
    else if (p.currentVersion > 1 && within(p.currentReceivedAt))
      changes.push({ ...base, kind: 'refiled', subject, at: p.currentReceivedAt });
    // A send-back still standing (no newer version filed since) made in the window.
    const review = p.review?.version === p.currentVersion ? p.review : undefined;
    if (review?.verdict === 'needs-changes' && within(review.at))
      changes.push({
        ...base,
        kind: 'sent-back',
        subject: `${subject}（第 ${review.version} 版）`,
        at: review.at,
      });
  }
  for (const unit of units) {
    const base = { unitCode: unit.unit.code, unitName: unit.unit.name, district: unit.unit.district };
    for (const d of unit.deliverables)
      if (d.state.kind === 'overdue' && d.state.days === 1)
        changes.push({
          ...base,
          kind: 'became-overdue',
          subject: names.get(d.deliverableId) ?? d.deliverableId,
        });
  }
  return changes;
}

const ORDER: ChangeKind[] = [
  'sanction-recorded',
  'major-became-overdue',
  'became-overdue',
  'hazard-reported',
  'acceptance-requested',
  'hazard-closed',
  'hazard-withdrawn',
  'sent-back',
  'filed',
  'refiled',
];

/** Sorted as a digest lists them: by kind, then district, unit and subject. */
export function inDigestOrder(changes: Change[]): Change[] {
  return changes.sort(
    (a, b) =>
      ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind) ||
      (a.district ?? '').localeCompare(b.district ?? '') ||
      a.unitCode.localeCompare(b.unitCode) ||
      a.subject.localeCompare(b.subject),
  );
}
