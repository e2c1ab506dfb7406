import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DynamoCampaignRepository } from '../../functions/shared/adapters/dynamo/campaign-repository.ts';
import { DynamoUnitRepository } from '../../functions/shared/adapters/dynamo/units-repository.ts';
import { hashToken } from '../../functions/shared/domain/links/form-links.ts';
import { loadCampaign } from '../../infra/cli/load.ts';
import { demoCampaign, demoRoster } from '../support/fixtures.ts';
import { freshTable, testClients } from '../support/tables.ts';

describe('campaign load (into a deployed stack, here DynamoDB Local)', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('stores the config and roster, issues every unit a link, and writes them to a private CSV; again changes nothing', async () => {
    const store = await freshTable();
    const dir = await mkdtemp(join(tmpdir(), 'load-'));
    dirs.push(dir);
    const roster = { ...demoRoster(), units: demoRoster().units.slice(0, 5) };
    const input = {
      clients: testClients(),
      outputs: {
        ApiUrl: 'https://abc123.execute-api.cn-north-1.amazonaws.com.cn/',
        TableName: store.tableName,
        BucketName: 'unused',
        LinkKeySecretArn: 'unused',
      },
      linkKey: 'L'.repeat(64),
      // The five units hold Liyang's bureau but not the city office: only Liyang's reviewer can act.
      campaign: {
        ...demoCampaign(),
        reviewers: demoCampaign().reviewers.filter((r) => r.scope === 'liyang'),
      },
      roster,
      linksPath: join(dir, 'links.csv'),
      now: new Date('2018-01-08T00:00:00Z'),
    };
    await loadCampaign(input);
    expect((await new DynamoCampaignRepository(store).get())?.id).toBe('2018-changzhou');
    const csv = await readFile(input.linksPath, 'utf8');
    expect((await stat(input.linksPath)).mode & 0o777).toBe(0o600);
    const [header, ...rows] = csv
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(header).toBe('单位代码 code,单位名称 name,邮箱 email,填报链接 form link');
    expect(rows).toHaveLength(6);
    const reviewerRow = rows.pop() ?? '';
    expect(reviewerRow).toMatch(
      /^"reviewer:li-liyang","李审核（溧阳市教育局，示例）（liyang）","reviewer-li@lyedu\.example","https:\/\/abc123\.execute-api\.cn-north-1\.amazonaws\.com\.cn\/r\/[A-Za-z0-9_-]{43}"$/,
    );
    const units = new DynamoUnitRepository(store);
    for (const row of rows) {
      const [code, , , url] = row.split(',').map((cell) => cell.replace(/^"|"$/g, ''));
      expect(url).toMatch(
        /^https:\/\/abc123\.execute-api\.cn-north-1\.amazonaws\.com\.cn\/f\/[A-Za-z0-9_-]{43}$/,
      );
      const token = url?.split('/f/')[1] ?? '';
      expect((await units.get(code ?? ''))?.linkHash).toBe(hashToken(token));
    }
    expect(await loadCampaign(input)).toEqual({
      units: 5,
      missing: [],
      withdrawn: false,
      reviewersWithoutBody: [],
    });
    expect(await readFile(input.linksPath, 'utf8')).toBe(csv);

    // A shorter roster: the unit it lost is named, and withdrawn only when asked.
    const lost = roster.units[4]?.code ?? '';
    const shorter = { ...input, roster: { ...roster, units: roster.units.slice(0, 4) } };
    expect(await loadCampaign(shorter)).toEqual({
      units: 4,
      missing: [lost],
      withdrawn: false,
      reviewersWithoutBody: [],
    });
    expect((await units.get(lost))?.withdrawnAt).toBeUndefined();
    expect(await loadCampaign({ ...shorter, withdrawMissing: true })).toEqual({
      units: 4,
      missing: [lost],
      withdrawn: true,
      reviewersWithoutBody: [],
    });
    expect((await units.get(lost))?.withdrawnAt).toBe('2018-01-08T00:00:00.000Z');
  });

  it('gives no link to a reviewer whose office is not on the roster, says so, and loads the rest', async () => {
    const store = await freshTable();
    const dir = await mkdtemp(join(tmpdir(), 'campaign-load-'));
    const loaded = await loadCampaign({
      clients: testClients(),
      outputs: {
        ApiUrl: 'https://x.example/',
        TableName: store.tableName,
        BucketName: 'unused',
        LinkKeySecretArn: 'unused',
      },
      linkKey: 'L'.repeat(64),
      campaign: demoCampaign(),
      roster: { ...demoRoster(), units: demoRoster().units.slice(0, 5) },
      linksPath: join(dir, 'links.csv'),
      now: new Date('2018-01-08T00:00:00Z'),
    });
    expect(loaded).toMatchObject({ units: 5, reviewersWithoutBody: ['wang-office'] });
    const csv = await readFile(join(dir, 'links.csv'), 'utf8');
    expect(csv).toContain('reviewer:li-liyang');
    expect(csv).not.toContain('reviewer:wang-office');
  });
});
