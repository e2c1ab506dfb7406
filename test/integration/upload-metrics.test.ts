import { randomUUID } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRIC } from '../../functions/shared/metrics.ts';
import type { ListedObject } from '../../functions/shared/ports.ts';
import { makeHandler as makeUploadHandler } from '../../functions/upload-received/handler.ts';
import { localContext } from '../../infra/local/http-bridge.ts';
import { sweptNotification } from '../../infra/local/s3-event-bridge.ts';
import { demoCampaign } from '../support/fixtures.ts';
import { manualClock, type TestApp, testApp } from '../support/local-app.ts';
import { RecordingMetrics } from '../support/metrics.ts';
import { testClients } from '../support/tables.ts';

/**
 * upload-received counts what the stack's alarms read (`metrics.ts`): a filing, a refusal, and
 * the receipt mail, through the metrics dependency its entry gives it (Powertools in Lambda).
 */
describe('upload-received metrics', () => {
  const clock = manualClock('2018-01-12T09:00:00+08:00');
  const metrics = new RecordingMetrics();
  let app: TestApp;
  beforeAll(async () => {
    const base = demoCampaign();
    const campaign = {
      ...base,
      mail: { ...base.mail, from: `metrics-${randomUUID().slice(0, 8)}@czedu.example` },
    };
    app = await testApp({ clock, campaign, metrics });
  });
  afterAll(() => app.cleanup());

  const upload = async (fileName: string, bytes: Uint8Array): Promise<ListedObject> => {
    const response = await app.http('POST', `/f/${app.links['LY-101']}/uploads`, {
      body: JSON.stringify({ deliverableId: 'implementation-plan', fileName, size: bytes.length }),
      headers: { 'content-type': 'application/json' },
    });
    expect(response.statusCode).toBe(200);
    const { key } = JSON.parse(response.body) as { key: string };
    const put = await testClients().s3.send(
      new PutObjectCommand({ Bucket: app.adapters.documents.bucket, Key: key, Body: bytes }),
    );
    return { key, etag: (put.ETag ?? '').replaceAll('"', ''), size: bytes.length, lastModified: new Date() };
  };
  const deliver = (object: ListedObject) =>
    makeUploadHandler(app.adapters)(
      sweptNotification(app.adapters.documents.bucket, object, clock.now()),
      localContext('upload-received'),
    );

  it('counts a filing and its receipt mail once; a redelivery counts nothing', async () => {
    const object = await upload('实施方案.pdf', new TextEncoder().encode('%PDF-1.7\n% metrics\n'));
    metrics.take();
    expect(await deliver(object)).toEqual([{ outcome: 'accepted', version: 1 }]);
    expect(metrics.take()).toEqual({ [METRIC.filings]: 1, [METRIC.mailsSent]: 1 });
    expect(await deliver(object)).toEqual([{ outcome: 'duplicate' }]);
    expect(metrics.take()).toEqual({});
  });

  it('counts a refused upload', async () => {
    const exe = new Uint8Array([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04]);
    const object = await upload('方案.pdf', exe);
    metrics.take();
    const [outcome] = await deliver(object);
    expect(outcome?.outcome).toBe('rejected');
    expect(metrics.take()).toMatchObject({ [METRIC.refusals]: 1 });
  });
});
