import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The campaign table: one DynamoDB table per campaign, single-table design. This definition is
 * the only one: the CDK stack and the local bootstrap both build the table from it.
 *
 * Keys (all strings; `<unit>` is the roster's unit code, `<d>` a district code or `CITY`):
 *
 * | item                     | pk                        | sk                                  | gsi1pk            | gsi1sk                 |
 * |--------------------------|---------------------------|-------------------------------------|-------------------|------------------------|
 * | campaign config          | `CAMPAIGN`                | `CONFIG`                            |                   |                        |
 * | unit (+ counters)        | `UNIT#<unit>`             | `PROFILE`                           | `UNITS`           | `<d>#<type>#<unit>`    |
 * | form link (by hash)      | `LINK#<sha256 hex>`       | `LINK`                              |                   |                        |
 * | download link (TTL)      | `DOWNLOAD#<sha256 hex>`   | `DOWNLOAD`                          |                   |                        |
 * | submission pointer       | `UNIT#<unit>`             | `SUB#<deliverable>`                 | `SUB#<deliverable>` | `<d>#<unit>`         |
 * | submission version       | `UNIT#<unit>`             | `SUB#<deliverable>#V#<000001>`      |                   |                        |
 * | review decision          | `UNIT#<unit>`             | `REVIEW#<deliverable>#<000001>`     |                   |                        |
 * | hazard (current state)   | `UNIT#<unit>`             | `HAZARD#<hazard id>`                | `HAZARDS`         | `<d>#<unit>#<id>`      |
 *
 * gsi2 (sparse) holds only supervised hazards: gsi2pk `SUPERVISOR#<unit>`, gsi2sk `<unit>#<id>`, so a
 * bureau or the city office reads exactly the major hazards it supervises, however many others exist.
 * Every change Puts the whole hazard, so the keys follow it: a hazard reclassified as major gets them
 * (under its new supervisor), one reclassified as general or withdrawn loses them.
 *
 * | hazard history entry     | `UNIT#<unit>`             | `HAZLOG#<hazard id>#<000001>`       |                   |                        |
 * | hazard form key          | `UNIT#<unit>`             | `FORMKEY#<uuid>`                    |                   |                        |
 * | outbox mail (hazard)     | `UNIT#<unit>`             | `OUTBOX#<kind>#<hazard id>#v<n>`    | `OUTBOX` (unsent) | `<instant>#<unit>#<id>` |
 * | hazard import            | `UNIT#<unit>`             | `IMPORT#<file ETag>`                |                   |                        |
 * | zero report              | `UNIT#<unit>`             | `ZERO`                              | `ZERO`            | `<d>#<unit>`           |
 * | pending upload (TTL)     | `PENDING#<object key>`    | `PENDING`                           |                   |                        |
 *   (for a deliverable, a hazard's photo, an import, or a summons or circular's document)
 * | rejected upload          | `UNIT#<unit>`             | `REJECT#<instant>#<key>#<etag>`     |                   |                        |
 * | bad-token counter (TTL)  | `RATE#<source hash>#<window>` | `RATE`                          |                   |                        |
 * | upload receipt           | `UPLOAD#<bucket>/<key>`   | `ETAG#<etag>`                       |                   |                        |
 * | audit event              | `AUDIT#<campaign day>`    | `<ISO instant>#<event id>`          |                   |                        |
 * | mail record              | `MAIL#<campaign day>`     | `<purpose>#<recipient>`             |                   |                        |
 * | bounced address          | `BOUNCE#<address>`        | `BOUNCE`                            | `BOUNCES`         | `<address>`            |
 * | bounce feedback seen     | `BOUNCE#<address>`        | `FEEDBACK#<feedback id>`            |                   |                        |
 * | daily-check run lease    | `RUN#<campaign day>`      | `RUN`                               |                   |                        |
 * | workspace session (TTL)  | `SESSION#<sha256 hex>`    | `SESSION`                           |                   |                        |
 * | named reviewer           | `REVIEWER#<id>`           | `PROFILE`                           | `REVIEWERS`       | `<id>`                 |
 * | summons/circular         | `UNIT#<unit>`             | `SANCTION#<instant>#<id>`           | `SANCTIONS`       | `<d>#<unit>#<instant>` |
 * | summons/circular form key| `UNIT#<unit>`             | `SANCKEY#<uuid>`                    |                   |                        |
 * | documents export job     | `EXPORT#<job id>`         | `EXPORT`                            | `EXPORTS` (waiting) | `<instant>#<job id>` |
 *
 * | district rollup          | `ROLLUP`                  | `<d>#<shard 0–7>`                   |                   |                        |
 * | rollups complete         | `ROLLUP`                  | `READY`                             |                   |                        |
 *
 * The unit's profile is in two more indexes, for the dashboard's default order (most days behind
 * first, `dashboard-rolled.ts`): gsi2 `OWED#<d>` / `<earliest due date owed>#<unit>` while it owes a
 * deliverable (sparse), and gsi3 `LAG#<d>` / `<999999 − most days late, 6 digits>#<unit>` while it
 * is counted (active, not the city office).
 *
 * A unit's profile also holds its hazard tally (`hazard-tally.ts`), one number attribute per counter
 * (`h#<area>#<level>#open|closed`, `od#<deadline>`, `mf`, `aa`), moved with ADD in the same
 * transaction as each hazard change (with `openGeneral`/`openMajor` and `tallyRev`), so the dashboard
 * counts a scope's hazards by reading its units, never the hazards. It holds its filings' state as
 * `fm#<deliverable>` maps (`FilingMark`), set in each filing's and decision's transaction with
 * `markRev`. Each of those transactions, and each roster change, also ADDs the unit's change to its
 * district's rollup item (`rollupKey` on the profile, `rollup.ts`), so the city office's page
 * counts 20,000 units from about a hundred items.
 *
 * Access patterns:
 * - a unit's profile and counters: GetItem `UNIT#<unit>`/`PROFILE`;
 * - a form link: GetItem `LINK#<hash>` (the raw token is never stored); a download link: GetItem `DOWNLOAD#<hash>`;
 * - everything of one unit (page model): Query pk=`UNIT#<unit>`, optionally `begins_with(sk, 'SUB#')` or `'HAZARD#'`;
 * - a submission's versions: Query `begins_with(sk, 'SUB#<deliverable>#V#')`;
 * - a deliverable's review decisions, numbered per deliverable: Query `begins_with(sk, 'REVIEW#<deliverable>#')`;
 *   the latest is also on the pointer (`review`), written in the same transaction as the numbered
 *   item and its audit event, on the condition that the version is still current and the
 *   pointer's latest decision is still the one before (two reviewers: one wins, one conflicts);
 * - a unit's hazards: Query `begins_with(sk, 'HAZARD#')`; one's history: Query `begins_with(sk, 'HAZLOG#<id>#')`;
 * - was this report form submitted already: GetItem `FORMKEY#<uuid>`, Put with `attribute_not_exists` in the hazard's transaction;
 * - the next hazard number: UpdateItem `ADD hazardSeq :n` on the unit's profile (ReturnValues UPDATED_NEW);
 * - all units, or one district's: Query gsi1 `UNITS` (with `begins_with(gsi1sk, '<d>#')`);
 * - who has filed a deliverable: Query gsi1 `SUB#<deliverable>`;
 * - all hazards, or one district's: Query gsi1 `HAZARDS` (history entries carry no gsi1 keys: sparse);
 * - every zero report (the daily check): Query gsi1 `ZERO`;
 * - the major hazards a unit supervises: Query gsi2 `SUPERVISOR#<unit>`;
 * - the district rollups: Query `ROLLUP` (one partition, about a hundred items);
 * - a district's units by days behind: Query gsi2 `OWED#<d>` and gsi3 `LAG#<d>`, merged;
 * - the upload the server prepared for an object: GetItem `PENDING#<key>`; a unit's refused uploads: Query `begins_with(sk, 'REJECT#')`;
 * - bad tokens from one source in this window: GetItem / atomic ADD on `RATE#…`;
 * - was this S3 notification processed already: GetItem / conditional Put `UPLOAD#…`/`ETAG#…`;
 * - a day's audit trail: Query `AUDIT#<day>`; a mail already sent: GetItem `MAIL#<day>`/`<purpose>#<recipient>`;
 * - every bounced address (digest, office page): Query gsi1 `BOUNCES`; was this bounce notification counted: the
 *   `FEEDBACK#` item, written in the same transaction as the address's record (addresses are lower case);
 * - a workspace session: GetItem `SESSION#<hash>` (the cookie's id is never stored); a reviewer: GetItem
 *   `REVIEWER#<id>`, all of them: Query gsi1 `REVIEWERS`; a reviewer's link is a `LINK#` item naming the reviewer;
 * - mails owed for hazards (transactional outbox): Put in the hazard change's own transaction with
 *   `attribute_not_exists`; the sweep Queries gsi1 `OUTBOX`, and marking one done REMOVEs its gsi1 keys;
 * - a unit's summons and circulars (约谈/通报), oldest first: Query `begins_with(sk, 'SANCTION#')`; all of them, or one
 *   district's (the digest, the workspace's list): Query gsi1 `SANCTIONS` (with `begins_with(gsi1sk, '<d>#')`); was
 *   this decision form posted already: GetItem `SANCKEY#<uuid>`, Put with `attribute_not_exists` in the decision's
 *   transaction (with its audit event), so a double click records one decision;
 * - who runs a day's check: conditional Put/Update on `RUN#<day>`, and a ConditionCheck on it in every mail claim (fencing).
 * - a supervisor's documents export (the ZIP, as a job): the job id is a hash of who asked, the form's one-time key
 *   and the versions asked for, so the request Puts `EXPORT#<id>` with `attribute_not_exists` in one transaction with
 *   its audit event (a double click or a reused form finds the same job, and records one request); the export-jobs
 *   function Queries gsi1 `EXPORTS` (only jobs pending or running, oldest first), claims one with a conditional
 *   Update (`pending`, or `running` with its lease run out; `attempts` + 1), renews the lease while it writes, and
 *   marks it `done` (with its audit event, in one transaction) or `failed` only while it still holds it, REMOVEing
 *   the gsi1 keys; the status page and the file route GetItem `EXPORT#<id>`. The job's `ttl` is a week after it was asked.
 *
 * Every list is read page by page (`Limit` + cursor); no call loads a whole partition at once.
 * `ttl` (epoch seconds) is the TTL attribute, for short-lived items: rate-limit counters, pending uploads, download links, sessions,
 * export jobs.
 */
export const CAMPAIGN_TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  timeToLiveAttribute: 'ttl',
  globalSecondaryIndexes: [
    { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    { indexName: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
  ],
} as const;

export const GSI1 = CAMPAIGN_TABLE.globalSecondaryIndexes[0].indexName;
export const GSI2 = CAMPAIGN_TABLE.globalSecondaryIndexes[1].indexName;
export const GSI3 = CAMPAIGN_TABLE.globalSecondaryIndexes[2].indexName;

/** The `ttl` of an item kept `days` past `iso` (its expiry, in whole epoch seconds); DynamoDB deletes it some time after. */
export function ttlDaysAfter(iso: string, days: number): number {
  return Math.floor(new Date(iso).getTime() / 1000) + days * 86_400;
}

/** One index's part of a CreateTable or UpdateTable request. */
export function indexDefinition(index: (typeof CAMPAIGN_TABLE.globalSecondaryIndexes)[number]) {
  return {
    IndexName: index.indexName,
    KeySchema: [
      { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
    ],
    Projection: { ProjectionType: 'ALL' as const },
  };
}

/** The CreateTable request for the local bootstrap and tests (on-demand billing, all keys strings). */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const { partitionKey, sortKey, globalSecondaryIndexes } = CAMPAIGN_TABLE;
  const attributes = [
    partitionKey,
    sortKey,
    ...globalSecondaryIndexes.flatMap((i) => [i.partitionKey, i.sortKey]),
  ];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: attributes.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: partitionKey, KeyType: 'HASH' },
      { AttributeName: sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: globalSecondaryIndexes.map(indexDefinition),
  };
}
