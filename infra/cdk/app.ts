// The CDK app entry (cdk.json): `npx cdk synth|deploy -c campaign=campaigns/<year>.json`, in a
// China region with `-c region=cn-north-1` (or `-c partition=aws-cn`).
import { App } from 'aws-cdk-lib';
import { formatIssue } from '../../schemas/validation.ts';
import { readCampaignFile } from '../campaign-files.ts';
import { addCampaign, partitionOf } from './campaign-app.ts';

const app = new App();
const context = (key: string): unknown => app.node.tryGetContext(key);
const file = String(context('campaign') ?? 'campaigns/2018-changzhou.json');
const region = context('region');
const campaign = await readCampaignFile(file);
if (!campaign.ok) throw new Error(`${file}:\n${campaign.issues.map(formatIssue).join('\n')}`);
addCampaign(app, {
  campaign: campaign.value,
  partition: partitionOf({ partition: context('partition'), region }),
  ...(typeof region === 'string' ? { region } : {}),
});
app.synth();
