import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { BAD_PATH, MAX_REQUEST_BODY_BYTES, TOO_LARGE } from '../../functions/http/request-body.ts';
import { matchRoute } from '../../functions/http/routes.ts';
import { FUNCTION_TIMEOUT_SECONDS, type FunctionName } from '../../functions/shared/function-limits.ts';
import { SECURITY_HEADERS } from '../../functions/shared/web/security-headers.ts';
import type { Bilingual } from '../../schemas/validation.ts';

export type HttpHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

const TEXT_TYPES = /^(text\/|application\/(json|x-www-form-urlencoded|xml))/;

/** A Lambda context good enough for local calls, with the function's real timeout. */
export function localContext(functionName: FunctionName): Context {
  const deadline = Date.now() + FUNCTION_TIMEOUT_SECONDS[functionName] * 1000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `local:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/local/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

class PayloadTooLarge extends Error {}

/** The body, or `PayloadTooLarge` as soon as it passes `limit` (nothing more is read). */
async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit) throw new PayloadTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new PayloadTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * The bridge's own answers (no route, a body too large, a path that does not decode, a crash)
 * carry the same security headers as the function's and a bilingual message.
 */
function bridgeAnswer(response: ServerResponse, status: number, message: Bilingual): void {
  if (response.headersSent) {
    response.end();
    return;
  }
  response.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': 'application/json; charset=utf-8',
  });
  response.end(JSON.stringify({ message: message.en, error: message }));
}

/**
 * After a refusal, whatever the client is still sending is thrown away unbuffered (so it can
 * read the answer instead of seeing a reset); a sender still going after 5 s is cut off.
 */
export function discardRest(request: IncomingMessage): void {
  const cutOff = setTimeout(() => request.socket.destroy(), 5_000).unref();
  request.on('end', () => clearTimeout(cutOff));
  request.resume();
}

const NOT_FOUND: Bilingual = { zh: '页面不存在', en: 'Not Found' };
const FAILED: Bilingual = { zh: '系统暂时出错，请稍后再试', en: 'Internal Server Error' };

/** Builds the API Gateway HTTP API (payload format 2.0) event that AWS would send for `request`. */
export function toApiGatewayEvent(
  request: IncomingMessage,
  body: Buffer,
  route: { routeKey: string; pathParameters: Record<string, string> },
): APIGatewayProxyEventV2 {
  const url = new URL(request.url ?? '/', 'http://local');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined && name !== 'cookie')
      headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  // API Gateway adds these; the handler builds absolute URLs (upload redirects) from them.
  headers['x-forwarded-proto'] = 'http';
  headers['x-forwarded-for'] = request.socket.remoteAddress ?? '127.0.0.1';
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams)
    query[name] = name in query ? `${query[name]},${value}` : value;
  const isText = TEXT_TYPES.test(headers['content-type'] ?? 'text/plain');
  const now = new Date();
  const cookies = request.headers.cookie?.split(';').map((c) => c.trim());
  return {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(cookies ? { cookies } : {}),
    ...(url.search ? { queryStringParameters: query } : {}),
    ...(Object.keys(route.pathParameters).length > 0 ? { pathParameters: route.pathParameters } : {}),
    ...(body.length > 0 ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !isText,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      requestId: randomUUID(),
      routeKey: route.routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      http: {
        method: request.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
    },
  };
}

function writeResult(response: ServerResponse, result: APIGatewayProxyStructuredResultV2): void {
  for (const [name, value] of Object.entries(result.headers ?? {})) response.setHeader(name, String(value));
  if (result.cookies?.length) response.setHeader('set-cookie', result.cookies);
  response.statusCode = result.statusCode ?? 200;
  const body = result.body ?? '';
  response.end(result.isBase64Encoded ? Buffer.from(body, 'base64') : body);
}

/**
 * The local stand-in for API Gateway: matches the HTTP API's routes, turns each request into a
 * payload-2.0 event and calls the same handler Lambda runs. Unmatched paths get API Gateway's 404.
 */
export async function startHttpBridge(
  handler: HttpHandler,
  options: { host: string; port: number },
): Promise<Server> {
  const server = createServer(async (request, response) => {
    try {
      const path = new URL(request.url ?? '/', 'http://local').pathname;
      let route: ReturnType<typeof matchRoute>;
      try {
        route = matchRoute(request.method ?? 'GET', path);
      } catch (error) {
        if (!(error instanceof URIError)) throw error;
        bridgeAnswer(response, 400, BAD_PATH);
        return;
      }
      if (!route) {
        bridgeAnswer(response, 404, NOT_FOUND);
        return;
      }
      // API Gateway accepts up to 10 MB; no request of this API is anywhere near 1 MB (uploads go
      // to storage), so the bridge stops reading there, as the function would refuse it anyway.
      const body = await readBody(request, MAX_REQUEST_BODY_BYTES);
      writeResult(response, await handler(toApiGatewayEvent(request, body, route), localContext('http')));
    } catch (error) {
      if (error instanceof PayloadTooLarge) {
        bridgeAnswer(response, 413, TOO_LARGE);
        discardRest(request);
        return;
      }
      console.error('local http bridge:', error instanceof Error ? error.message : error);
      bridgeAnswer(response, 500, FAILED);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return server;
}

export function serverUrl(server: Server): string {
  const { address, port } = server.address() as AddressInfo;
  return `http://${address}:${port}`;
}
