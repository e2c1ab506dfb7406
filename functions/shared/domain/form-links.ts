import { createHash, randomBytes } from 'node:crypto';
import type { UnitRecord } from '../../../schemas/records.ts';
import type { LinkRepository, UnitRepository } from '../ports.ts';
import { NotFoundError } from './errors.ts';

/**
 * Form links: a unit's page is `/f/<token>`. The token has 256 bits from the crypto RNG and is
 * shown once, when issued; storage keeps only its SHA-256, looked up with one GetItem.
 */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** More bad tokens than this from one source within the window get 429 on every form-link route. */
export const BAD_TOKEN_LIMIT = 20;
export const BAD_TOKEN_WINDOW_MS = 10 * 60 * 1000;

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Unknown, malformed, revoked and other-campaign tokens all end here, with the same answer. */
export const LINK_NOT_FOUND = {
  zh: '链接无效或已失效，请联系市教育局安稳处获取新的链接',
  en: 'This link is not valid (any more). Ask the city safety office for a new one.',
};

export async function resolveLink(
  token: string,
  deps: { links: LinkRepository; units: UnitRepository },
  campaignId: string,
): Promise<UnitRecord> {
  if (!TOKEN_PATTERN.test(token)) throw new NotFoundError(LINK_NOT_FOUND);
  const link = await deps.links.find(hashToken(token));
  if (!link || link.revokedAt || link.campaignId !== campaignId) throw new NotFoundError(LINK_NOT_FOUND);
  const unit = await deps.units.get(link.unitCode);
  if (!unit || unit.linkHash !== link.hash) throw new NotFoundError(LINK_NOT_FOUND);
  return unit;
}

/** Issues a unit's first link, or rotates its link (the old one dies at once). Returns the token. */
export async function issueLink(
  unitCode: string,
  campaignId: string,
  deps: { links: LinkRepository; units: UnitRepository },
  now: Date,
): Promise<string> {
  const unit = await deps.units.get(unitCode);
  if (!unit) throw new NotFoundError({ zh: `没有单位 ${unitCode}`, en: `no unit ${unitCode}` });
  const token = newToken();
  const replacing = unit.linkHash;
  await deps.links.issue(
    { unitCode, campaignId, hash: hashToken(token), ...(replacing ? { replacing } : {}) },
    now,
  );
  return token;
}
