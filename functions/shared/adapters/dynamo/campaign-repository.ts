import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type Campaign, CampaignSchema } from '../../../../schemas/campaign.ts';
import type { CampaignRepository } from '../../ports.ts';
import { keys } from './keys.ts';
import { conditionally, type DynamoStore } from './store.ts';

/** The campaign config lives in its own table, so every function reads the same one. */
export class DynamoCampaignRepository implements CampaignRepository {
  constructor(private readonly store: DynamoStore) {}

  /** Stores or updates the config; a table never switches to another campaign. */
  async save(campaign: Campaign): Promise<void> {
    await conditionally(
      () =>
        this.store.client.send(
          new PutCommand({
            TableName: this.store.tableName,
            Item: { ...keys.campaign(), campaignId: campaign.id, config: JSON.stringify(campaign) },
            ConditionExpression: 'attribute_not_exists(pk) OR campaignId = :id',
            ExpressionAttributeValues: { ':id': campaign.id },
          }),
        ),
      {
        zh: `此数据表属于另一个活动，不能写入活动 ${campaign.id}`,
        en: `this table belongs to another campaign; refusing to store campaign ${campaign.id}`,
      },
    );
  }

  async get(): Promise<Campaign | null> {
    const { Item } = await this.store.client.send(
      new GetCommand({ TableName: this.store.tableName, Key: keys.campaign() }),
    );
    return Item ? CampaignSchema.parse(JSON.parse(String(Item.config))) : null;
  }
}
