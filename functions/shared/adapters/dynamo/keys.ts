/** Key builders for the campaign table; the layout is documented in `table.ts`. */
const pad = (n: number): string => String(n).padStart(6, '0');

/** The most days late the lag index orders (a campaign lasts months, not thousands of years). */
const LAG_CEILING = 999_999;

/** Units without a district (directly affiliated units) sort under the city. */
export const districtKey = (district: string | null): string => district ?? 'CITY';

export const keys = {
  campaign: () => ({ pk: 'CAMPAIGN', sk: 'CONFIG' }),
  unit: (unit: string) => ({ pk: `UNIT#${unit}`, sk: 'PROFILE' }),
  unitIndex: (district: string | null, type: string, unit: string) => ({
    gsi1pk: 'UNITS',
    gsi1sk: `${districtKey(district)}#${type}#${unit}`,
  }),
  /** A unit that owes a deliverable, in its district's `owed` lag index (sparse), by the earliest due date. */
  owedIndex: (district: string | null, owedSince: string, unit: string) => ({
    gsi2pk: `OWED#${districtKey(district)}`,
    gsi2sk: `${owedSince}#${unit}`,
  }),
  /** A counted unit in its district's `lag` index, by its most days late, most first. */
  lagIndex: (district: string | null, lateDays: number, unit: string) => ({
    gsi3pk: `LAG#${districtKey(district)}`,
    gsi3sk: `${String(LAG_CEILING - Math.min(lateDays, LAG_CEILING)).padStart(6, '0')}#${unit}`,
  }),
  /** A district rollup item (`<district>#<shard>`, see `rollupKeyOf`), and the marker that they are complete. */
  rollup: (rollupKey: string) => ({ pk: 'ROLLUP', sk: rollupKey }),
  rollupReady: () => ({ pk: 'ROLLUP', sk: 'READY' }),
  link: (hash: string) => ({ pk: `LINK#${hash}`, sk: 'LINK' }),
  downloadLink: (hash: string) => ({ pk: `DOWNLOAD#${hash}`, sk: 'DOWNLOAD' }),
  submissionPointer: (unit: string, deliverable: string) => ({
    pk: `UNIT#${unit}`,
    sk: `SUB#${deliverable}`,
  }),
  submissionIndex: (deliverable: string, district: string | null, unit: string) => ({
    gsi1pk: `SUB#${deliverable}`,
    gsi1sk: `${districtKey(district)}#${unit}`,
  }),
  submissionVersion: (unit: string, deliverable: string, version: number) => ({
    pk: `UNIT#${unit}`,
    sk: `SUB#${deliverable}#V#${pad(version)}`,
  }),
  submissionVersionPrefix: (deliverable: string) => `SUB#${deliverable}#V#`,
  /** Not under `SUB#<deliverable>#V#`, so a versions query never meets a decision. */
  reviewDecision: (unit: string, deliverable: string, seq: number) => ({
    pk: `UNIT#${unit}`,
    sk: `REVIEW#${deliverable}#${pad(seq)}`,
  }),
  reviewDecisionPrefix: (deliverable: string) => `REVIEW#${deliverable}#`,
  hazard: (unit: string, id: string) => ({ pk: `UNIT#${unit}`, sk: `HAZARD#${id}` }),
  hazardIndex: (district: string | null, unit: string, id: string) => ({
    gsi1pk: 'HAZARDS',
    gsi1sk: `${districtKey(district)}#${unit}#${id}`,
  }),
  supervisedIndex: (supervisor: string, unit: string, id: string) => ({
    gsi2pk: `SUPERVISOR#${supervisor}`,
    gsi2sk: `${unit}#${id}`,
  }),
  hazardLog: (unit: string, id: string, seq: number) => ({
    pk: `UNIT#${unit}`,
    sk: `HAZLOG#${id}#${pad(seq)}`,
  }),
  hazardLogPrefix: (id: string) => `HAZLOG#${id}#`,
  hazardFormKey: (unit: string, formKey: string) => ({ pk: `UNIT#${unit}`, sk: `FORMKEY#${formKey}` }),
  outbox: (unit: string, id: string) => ({ pk: `UNIT#${unit}`, sk: `OUTBOX#${id}` }),
  /** Only while unsent (sparse): the sweep reads exactly the mails still owed, oldest first. */
  outboxIndex: (createdAt: string, unit: string, id: string) => ({
    gsi1pk: 'OUTBOX',
    gsi1sk: `${createdAt}#${unit}#${id}`,
  }),
  uploadReceipt: (bucket: string, key: string, etag: string) => ({
    pk: `UPLOAD#${bucket}/${key}`,
    sk: `ETAG#${etag}`,
  }),
  hazardImport: (unit: string, etag: string) => ({ pk: `UNIT#${unit}`, sk: `IMPORT#${etag}` }),
  zeroReport: (unit: string) => ({ pk: `UNIT#${unit}`, sk: 'ZERO' }),
  zeroReportIndex: (district: string | null, unit: string) => ({
    gsi1pk: 'ZERO',
    gsi1sk: `${districtKey(district)}#${unit}`,
  }),
  pendingUpload: (key: string) => ({ pk: `PENDING#${key}`, sk: 'PENDING' }),
  rejection: (unit: string, at: string, key: string) => ({ pk: `UNIT#${unit}`, sk: `REJECT#${at}#${key}` }),
  rejectionPrefix: 'REJECT#',
  badTokens: (source: string, window: string) => ({ pk: `RATE#${source}#${window}`, sk: 'RATE' }),
  audit: (day: string, at: string, id: string) => ({ pk: `AUDIT#${day}`, sk: `${at}#${id}` }),
  /** Bounces are keyed on the address, lower case: a unit whose contact changes has none. */
  bounce: (address: string) => ({ pk: `BOUNCE#${address.toLowerCase()}`, sk: 'BOUNCE' }),
  bounceIndex: (address: string) => ({ gsi1pk: 'BOUNCES', gsi1sk: address.toLowerCase() }),
  bounceFeedback: (address: string, feedbackId: string) => ({
    pk: `BOUNCE#${address.toLowerCase()}`,
    sk: `FEEDBACK#${feedbackId}`,
  }),
  session: (hash: string) => ({ pk: `SESSION#${hash}`, sk: 'SESSION' }),
  reviewer: (id: string) => ({ pk: `REVIEWER#${id}`, sk: 'PROFILE' }),
  reviewerIndex: (id: string) => ({ gsi1pk: 'REVIEWERS', gsi1sk: id }),
  runLease: (day: string) => ({ pk: `RUN#${day}`, sk: 'RUN' }),
  /** A summons or circular decision: on its unit's partition, in the order recorded. */
  sanction: (unit: string, at: string, id: string) => ({ pk: `UNIT#${unit}`, sk: `SANCTION#${at}#${id}` }),
  sanctionPrefix: 'SANCTION#',
  sanctionIndex: (district: string | null, unit: string, at: string) => ({
    gsi1pk: 'SANCTIONS',
    gsi1sk: `${districtKey(district)}#${unit}#${at}`,
  }),
  /** The one-time key of the form that recorded a decision (a copy of the decision, without index keys). */
  sanctionFormKey: (unit: string, formKey: string) => ({ pk: `UNIT#${unit}`, sk: `SANCKEY#${formKey}` }),
  /** A supervisor's documents export job (`ExportJob`), under its id (derived from the form that asked). */
  exportJob: (id: string) => ({ pk: `EXPORT#${id}`, sk: 'EXPORT' }),
  /** Only while pending or running (sparse): a run finds the jobs waiting, oldest first, by Query. */
  exportJobIndex: (requestedAt: string, id: string) => ({
    gsi1pk: 'EXPORTS',
    gsi1sk: `${requestedAt}#${id}`,
  }),
  mail: (day: string, purpose: string, recipient: string) => ({
    pk: `MAIL#${day}`,
    sk: `${purpose}#${recipient.toLowerCase()}`,
  }),
};
