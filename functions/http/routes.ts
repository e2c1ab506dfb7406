/**
 * The HTTP API's routes, in API Gateway HTTP API route-key syntax. The CDK stack declares these
 * routes and the local runtime matches requests against them, so both send the same events.
 */
export const HTTP_ROUTES = [
  'GET /',
  'GET /assets/upload.js',
  'GET /f/{token}',
  'POST /f/{token}/uploads',
  'GET /f/{token}/files/{deliverable}/{version}',
  'POST /f/{token}/zero-report',
  'GET /f/{token}/hazards/new',
  'GET /f/{token}/hazards/template.xlsx',
  'POST /f/{token}/imports',
  'POST /f/{token}/hazards',
  'GET /f/{token}/hazards/{unit}/{id}',
  'GET /f/{token}/hazards/{unit}/{id}/edit',
  'POST /f/{token}/hazards/{unit}/{id}/actions',
  'POST /f/{token}/hazards/{unit}/{id}/photos',
  'GET /f/{token}/hazards/{unit}/{id}/photos/{n}',
  'GET /f/{token}/workspace',
  'GET /f/{token}/units',
  'GET /f/{token}/units/{unit}',
  'GET /r/{token}',
  'POST /w/sign-out',
  'GET /w',
  'GET /w/ledger.xlsx',
  'GET /w/units',
  'GET /w/hazards/{unit}/{id}',
  'GET /w/hazards/{unit}/{id}/photos/{n}',
  'POST /w/hazards/{unit}/{id}/actions',
  'GET /w/units/{unit}',
  'GET /w/units/{unit}/files/{deliverable}/{version}',
  'POST /w/units/{unit}/files/{deliverable}/{version}/review',
  'GET /w/sanctions',
  'GET /w/sanctions/new',
  'POST /w/sanctions',
  'GET /w/sanctions/{unit}/{id}/document',
  'GET /w/sanctions/{unit}/{id}/document/file',
  'GET /w/return',
  'GET /f/{token}/sanctions/{id}/document',
  'GET /w/circular.xlsx',
  'GET /w/export/documents.zip',
  'POST /w/export/jobs',
  'GET /w/export/jobs/{id}',
  'GET /w/export/jobs/{id}/file',
  'GET /d/{token}',
] as const;
export type RouteKey = (typeof HTTP_ROUTES)[number];

export interface RouteMatch {
  routeKey: RouteKey;
  pathParameters: Record<string, string>;
}

const compiled = HTTP_ROUTES.map((routeKey) => {
  const [method, path = ''] = routeKey.split(' ');
  const names: string[] = [];
  const pattern = path.replace(/\{(\w+)\}/g, (_, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { routeKey, method, regex: new RegExp(`^${pattern}$`), names };
});

/** The route a request takes, as API Gateway would pick it; null means API Gateway's own 404. */
export function matchRoute(method: string, path: string): RouteMatch | null {
  for (const route of compiled) {
    if (route.method !== method) continue;
    const match = route.regex.exec(path);
    if (!match) continue;
    const pathParameters = Object.fromEntries(
      route.names.map((name, i) => [name, decodeURIComponent(match[i + 1] ?? '')]),
    );
    return { routeKey: route.routeKey, pathParameters };
  }
  return null;
}
