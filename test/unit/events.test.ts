import type { IncomingMessage } from 'node:http';
import type { S3Event } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { matchRoute } from '../../functions/http/routes.ts';
import { fixedClock } from '../../functions/shared/domain/calendar/clock.ts';
import { createdObjects, decodeS3Key, encodeS3Key } from '../../functions/upload-received/s3-event.ts';
import { localContext, toApiGatewayEvent } from '../../infra/local/http-bridge.ts';
import { toS3Notification } from '../../infra/local/s3-event-bridge.ts';

describe('S3 notification keys', () => {
  it('decode as S3 encodes them: + is a space, the rest percent-encoded', () => {
    expect(decodeS3Key('incoming/LY-101/%E5%AE%9E%E6%96%BD+%E6%96%B9%E6%A1%88.pdf')).toBe(
      'incoming/LY-101/实施 方案.pdf',
    );
    expect(decodeS3Key('a%2Bb')).toBe('a+b');
  });

  it('round-trip through the local bridge encoding', () => {
    for (const key of ['incoming/LY-101/实施 方案+v1 (final).pdf', 'quarantine/x/100%.doc', 'a/b/c']) {
      expect(decodeS3Key(encodeS3Key(key))).toBe(key);
    }
    expect(encodeS3Key('incoming/a b/c+d')).toBe('incoming/a+b/c%2Bd');
    expect(encodeS3Key("x/a (1)!'*.pdf")).toBe('x/a+%281%29%21%27%2A.pdf');
  });

  it('turns an s3rver event into a real-shaped notification the handler reads back', () => {
    const event = toS3Notification(
      {
        Records: [
          {
            eventName: 'ObjectCreated:Post',
            eventTime: '2018-01-10T00:00:00.000Z',
            s3: {
              bucket: { name: 'b' },
              object: { key: 'incoming/LY-101/工作 总结.docx', size: 5, eTag: 'abc', sequencer: '1' },
            },
          },
        ],
      },
      'us-east-1',
      fixedClock(new Date('2018-01-10T00:00:00.000Z')),
    );
    expect(event.Records[0]?.s3.object.key).toBe(
      'incoming/LY-101/%E5%B7%A5%E4%BD%9C+%E6%80%BB%E7%BB%93.docx',
    );
    expect(createdObjects(event)).toEqual([
      {
        bucket: 'b',
        key: 'incoming/LY-101/工作 总结.docx',
        size: 5,
        etag: 'abc',
        eventTime: '2018-01-10T00:00:00.000Z',
      },
    ]);
  });

  it('ignores removals', () => {
    const removed = { Records: [{ eventName: 'ObjectRemoved:Delete', s3: {} }] } as unknown as S3Event;
    expect(createdObjects(removed)).toEqual([]);
  });
});

describe('HTTP routes and API Gateway events', () => {
  it('match as API Gateway would, with decoded path parameters', () => {
    expect(matchRoute('GET', '/')).toEqual({ routeKey: 'GET /', pathParameters: {} });
    expect(matchRoute('GET', '/f/abc%2Ddef')).toEqual({
      routeKey: 'GET /f/{token}',
      pathParameters: { token: 'abc-def' },
    });
    expect(matchRoute('POST', '/f/abc')).toBeNull();
    expect(matchRoute('GET', '/f/abc/extra')).toBeNull();
  });

  it('build payload-2.0 events with the route key, query and headers', () => {
    const request = {
      url: '/f/tok?lang=en&x=1&x=2',
      method: 'GET',
      httpVersion: '1.1',
      headers: { host: '127.0.0.1:3000', 'accept-language': 'en', cookie: 'a=1; b=2' },
      socket: { remoteAddress: '127.0.0.1' },
    } as unknown as IncomingMessage;
    const event = toApiGatewayEvent(request, Buffer.alloc(0), {
      routeKey: 'GET /f/{token}',
      pathParameters: { token: 'tok' },
    });
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /f/{token}',
      rawPath: '/f/tok',
      rawQueryString: 'lang=en&x=1&x=2',
      queryStringParameters: { lang: 'en', x: '1,2' },
      pathParameters: { token: 'tok' },
      cookies: ['a=1', 'b=2'],
      isBase64Encoded: false,
      requestContext: { http: { method: 'GET', path: '/f/tok', sourceIp: '127.0.0.1' }, stage: '$default' },
    });
    expect(event.headers.cookie).toBeUndefined();
  });
});

describe('local Lambda contexts', () => {
  it("carry each function's own timeout, so a long import is not cut at the HTTP limit", () => {
    expect(localContext('upload-received').getRemainingTimeInMillis()).toBeGreaterThan(290_000);
    expect(localContext('http').getRemainingTimeInMillis()).toBeLessThanOrEqual(29_000);
  });
});
