import {
  type AuditEvent,
  type ReviewDecision,
  ReviewDecisionSchema,
  type SubmissionPointer,
  SubmissionPointerSchema,
  type SubmissionVersion,
  SubmissionVersionSchema,
} from '../../../../schemas/records.ts';
import type { Page, PageRequest, ProfileChange, SubmissionRepository } from '../../ports.ts';
import { auditPut } from './audit-log.ts';
import { districtKey, keys } from './keys.ts';
import { profileChangeItems } from './profile-writes.ts';
import { type DynamoStore, indexQuery, READ_ALL_PAGE_SIZE, type TransactItem } from './store.ts';

/**
 * The writes that add `version` and make it current: the version item (new) and the pointer,
 * which must still point at the previous version. Other adapters add them to their transactions.
 */
export function submissionVersionWrites(
  tableName: string,
  version: SubmissionVersion,
  district: string | null,
): TransactItem[] {
  const { unitCode, deliverableId } = version;
  const first = version.version === 1;
  const index = keys.submissionIndex(deliverableId, district, unitCode);
  return [
    {
      Put: {
        TableName: tableName,
        Item: { ...keys.submissionVersion(unitCode, deliverableId, version.version), ...version },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    {
      Update: {
        TableName: tableName,
        Key: keys.submissionPointer(unitCode, deliverableId),
        UpdateExpression:
          'SET unitCode = :unit, district = :district, deliverableId = :deliverable, ' +
          'currentVersion = :version, currentReceivedAt = :at, ' +
          'firstReceivedAt = if_not_exists(firstReceivedAt, :at), ' +
          'firstOnTime = if_not_exists(firstOnTime, :onTime), gsi1pk = :gsi1pk, gsi1sk = :gsi1sk',
        ConditionExpression: first ? 'attribute_not_exists(pk)' : 'currentVersion = :previous',
        ExpressionAttributeValues: {
          ':unit': unitCode,
          ':district': district,
          ':deliverable': deliverableId,
          ':version': version.version,
          ':at': version.receivedAt,
          ':onTime': version.onTime,
          ':gsi1pk': index.gsi1pk,
          ':gsi1sk': index.gsi1sk,
          ...(first ? {} : { ':previous': version.version - 1 }),
        },
      },
    },
  ];
}

export class DynamoSubmissionRepository implements SubmissionRepository {
  /** `timeZone`: the campaign's, under whose days a decision's audit event is filed. */
  constructor(
    private readonly store: DynamoStore,
    private readonly timeZone: string,
  ) {}

  async addVersion(
    version: SubmissionVersion,
    district: string | null,
    profile: ProfileChange,
  ): Promise<void> {
    const writes = [
      ...submissionVersionWrites(this.store.tableName, version, district),
      ...profileChangeItems(this.store.tableName, profile),
    ];
    await this.store.transact(writes, {
      zh: `版本 ${version.version} 已存在或不是下一个版本`,
      en: `version ${version.version} already exists or is not the next one`,
    });
  }

  pointer(unitCode: string, deliverableId: string): Promise<SubmissionPointer | null> {
    return this.store.getItem(SubmissionPointerSchema, keys.submissionPointer(unitCode, deliverableId));
  }

  version(unitCode: string, deliverableId: string, version: number): Promise<SubmissionVersion | null> {
    return this.store.getItem(
      SubmissionVersionSchema,
      keys.submissionVersion(unitCode, deliverableId, version),
    );
  }

  versions(unitCode: string, deliverableId: string, page?: PageRequest): Promise<Page<SubmissionVersion>> {
    const prefix = keys.submissionVersionPrefix(deliverableId);
    return this.store.queryPrefixPage(SubmissionVersionSchema, keys.unit(unitCode).pk, prefix, page, {
      order: 'descending',
    });
  }

  filers(deliverableId: string, page?: PageRequest): Promise<Page<SubmissionPointer>> {
    const collection = keys.submissionIndex(deliverableId, null, '').gsi1pk;
    return this.store.queryIndexPage(SubmissionPointerSchema, collection, undefined, page);
  }

  async decide(
    decision: ReviewDecision,
    audit: Omit<AuditEvent, 'id'>,
    profile: ProfileChange,
  ): Promise<void> {
    const { unitCode, deliverableId, seq, version } = decision;
    const stored = ReviewDecisionSchema.parse(decision);
    const first = seq === 1;
    await this.store.transact(
      [
        {
          Update: {
            TableName: this.store.tableName,
            Key: keys.submissionPointer(unitCode, deliverableId),
            UpdateExpression: 'SET review = :review',
            ConditionExpression: first
              ? 'currentVersion = :version AND attribute_not_exists(review)'
              : 'currentVersion = :version AND review.seq = :previous',
            ExpressionAttributeValues: {
              ':review': stored,
              ':version': version,
              ...(first ? {} : { ':previous': seq - 1 }),
            },
          },
        },
        {
          Put: {
            TableName: this.store.tableName,
            Item: { ...keys.reviewDecision(unitCode, deliverableId, seq), ...stored },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        { Put: auditPut(this.store.tableName, audit, this.timeZone).put },
        ...profileChangeItems(this.store.tableName, profile),
      ],
      {
        zh: `第 ${version} 版已不是当前版本，或刚有人对它作出了决定`,
        en: `version ${version} is no longer current, or someone has just decided on it`,
      },
    );
  }

  decisions(unitCode: string, deliverableId: string, page?: PageRequest): Promise<Page<ReviewDecision>> {
    return this.store.queryPrefixPage(
      ReviewDecisionSchema,
      keys.unit(unitCode).pk,
      keys.reviewDecisionPrefix(deliverableId),
      page,
    );
  }

  allFilers(deliverableId: string, filter?: { district: string | null }): AsyncIterable<SubmissionPointer> {
    const collection = keys.submissionIndex(deliverableId, null, '').gsi1pk;
    const prefix = filter === undefined ? undefined : `${districtKey(filter.district)}#`;
    return this.store.queryAll(SubmissionPointerSchema, indexQuery(collection, prefix), READ_ALL_PAGE_SIZE);
  }
}
