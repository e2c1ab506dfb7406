import { createHash, createHmac } from 'node:crypto';
import type { UnitRecord } from '../../../../schemas/records.ts';
import type { LinkRepository, UnitRepository } from '../../ports.ts';
import { NotFoundError } from '../errors.ts';

/**
 * Form links: a unit's page is `/f/<token>`. The token is HMAC-SHA256(link key, campaign, unit,
 * link version): 256 bits no one can guess without the key (a secret the functions hold, never in
 * the table). Storage keeps only the token's SHA-256, looked up with one GetItem; the key lets the
 * daily check rebuild a unit's current link for its reminder. Rotating a link bumps its version,
 * which yields a new token and revokes the old one.
 */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** More bad tokens than this from one source within the window get 429 on every form-link route. */
export const BAD_TOKEN_LIMIT = 20;
export const BAD_TOKEN_WINDOW_MS = 10 * 60 * 1000;

export function deriveToken(
  linkKey: string,
  campaignId: string,
  unitCode: string,
  linkVersion: number,
): string {
  return createHmac('sha256', linkKey)
    .update(`form-link\n${campaignId}\n${unitCode}\n${linkVersion}`, 'utf8')
    .digest('base64url');
}

/** The unit's current token, or null when it has none or it was not derived from this key. */
export function currentToken(linkKey: string, campaignId: string, unit: UnitRecord): string | null {
  if (!unit.linkHash) return null;
  const token = deriveToken(linkKey, campaignId, unit.code, unit.linkVersion);
  return hashToken(token) === unit.linkHash ? token : null;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Unknown, malformed, revoked and other-campaign tokens, and withdrawn units' links, all end here,
 * with the same answer.
 */
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
  if (!unit || unit.linkHash !== link.hash || unit.withdrawnAt) throw new NotFoundError(LINK_NOT_FOUND);
  return unit;
}

/** Issues a unit's first link, or rotates its link (the old one dies at once). Returns the token. */
export async function issueLink(
  unitCode: string,
  campaignId: string,
  deps: { links: LinkRepository; units: UnitRepository },
  now: Date,
  linkKey: string,
): Promise<string> {
  const unit = await deps.units.get(unitCode);
  if (!unit) throw new NotFoundError({ zh: `没有单位 ${unitCode}`, en: `no unit ${unitCode}` });
  const linkVersion = unit.linkVersion + 1;
  const token = deriveToken(linkKey, campaignId, unitCode, linkVersion);
  const replacing = unit.linkHash;
  await deps.links.issue(
    { unitCode, campaignId, hash: hashToken(token), linkVersion, ...(replacing ? { replacing } : {}) },
    now,
  );
  return token;
}
