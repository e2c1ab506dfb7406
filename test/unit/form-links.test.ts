import { describe, expect, it } from 'vitest';
import { currentToken, deriveToken, hashToken } from '../../functions/shared/domain/links/form-links.ts';
import { sampleUnit } from '../support/fixtures.ts';

const key = 'k'.repeat(43);

describe('form-link tokens derived from the link key', () => {
  it('are 256-bit base64url, and differ by key, campaign, unit and link version', () => {
    const token = deriveToken(key, '2018-changzhou', 'LY-101', 1);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(deriveToken(key, '2018-changzhou', 'LY-101', 1)).toBe(token);
    const others = [
      deriveToken('j'.repeat(43), '2018-changzhou', 'LY-101', 1),
      deriveToken(key, '2019-changzhou', 'LY-101', 1),
      deriveToken(key, '2018-changzhou', 'LY-102', 1),
      deriveToken(key, '2018-changzhou', 'LY-101', 2),
    ];
    expect(new Set([token, ...others]).size).toBe(5);
  });

  it("rebuild a unit's current link only when its stored hash matches", () => {
    const token = deriveToken(key, '2018-changzhou', 'LY-101', 3);
    const unit = sampleUnit('LY-101', { linkVersion: 3, linkHash: hashToken(token) });
    expect(currentToken(key, '2018-changzhou', unit)).toBe(token);
    // Rotated elsewhere (another version), revoked (no hash), or issued under another key: no link.
    expect(currentToken(key, '2018-changzhou', { ...unit, linkVersion: 2 })).toBeNull();
    const { linkHash: _revoked, ...withoutLink } = unit;
    expect(currentToken(key, '2018-changzhou', withoutLink)).toBeNull();
    expect(currentToken('j'.repeat(43), '2018-changzhou', unit)).toBeNull();
  });
});
