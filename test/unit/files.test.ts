import { describe, expect, it } from 'vitest';
import {
  cleanDisplayName,
  contentDisposition,
  MAX_DISPLAY_NAME,
} from '../../functions/shared/domain/filing/file-names.ts';
import {
  detectSignature,
  dispositionFor,
  FILE_TYPE_INFO,
  fileTypeOfExtension,
} from '../../functions/shared/domain/filing/file-types.ts';
import { judgeUpload } from '../../functions/shared/domain/filing/uploads.ts';
import type { PendingUpload } from '../../schemas/records.ts';
import { demoCampaign } from '../support/fixtures.ts';

describe('display names', () => {
  it('keep a Chinese name whole', () => {
    expect(cleanDisplayName('2018年 实施方案（定稿）.PDF')).toEqual({
      name: '2018年 实施方案（定稿）.PDF',
      extension: 'pdf',
    });
  });

  it('drop path parts, control characters, bidi overrides and isolates, and ..', () => {
    expect(cleanDisplayName('C:\\Users\\张三\\..\\方案.pdf')).toEqual({ name: '方案.pdf', extension: 'pdf' });
    expect(cleanDisplayName('../../etc/passwd.pdf')).toEqual({ name: 'passwd.pdf', extension: 'pdf' });
    expect(cleanDisplayName('a\u0007b\u001bc.doc')).toEqual({ name: 'abc.doc', extension: 'doc' });
    expect(cleanDisplayName('invoice\u202Efdp.exe')).toEqual({ name: 'invoicefdp.exe', extension: 'exe' });
    expect(cleanDisplayName('x\u2066y\u2069\u202A.png')).toEqual({ name: 'xy.png', extension: 'png' });
    expect(cleanDisplayName('a..b.pdf')).toEqual({ name: 'a.b.pdf', extension: 'pdf' });
  });

  it('check the extension after decoding, and refuse a NUL anywhere', () => {
    expect(cleanDisplayName('%E6%96%B9%E6%A1%88.pdf')).toEqual({ name: '方案.pdf', extension: 'pdf' });
    expect(cleanDisplayName('a.php%00.pdf')).toBe('nul');
    expect(cleanDisplayName('a.pdf%2Eexe')).toEqual({ name: 'a.pdf.exe', extension: 'exe' });
  });

  it('cap the length but keep the extension, and refuse names past 255 characters', () => {
    const long = cleanDisplayName(`${'很'.repeat(200)}.docx`);
    expect(typeof long === 'object' && [...long.name].length).toBe(MAX_DISPLAY_NAME);
    expect(typeof long === 'object' && long.name.endsWith('.docx')).toBe(true);
    expect(cleanDisplayName(`${'a'.repeat(300)}.pdf`)).toBe('too-long');
    expect(cleanDisplayName('  ')).toBe('empty');
    expect(cleanDisplayName('README')).toBe('no-extension');
    expect(cleanDisplayName('.pdf')).toBe('no-extension');
  });

  it('make a Content-Disposition with an ASCII fallback and the exact UTF-8 name', () => {
    expect(contentDisposition('实施方案 (1).pdf')).toBe(
      'attachment; filename="____ (1).pdf"; filename*=UTF-8\'\'%E5%AE%9E%E6%96%BD%E6%96%B9%E6%A1%88%20%281%29.pdf',
    );
    expect(contentDisposition('a"b\\c.pdf')).toContain('filename="a_b_c.pdf"');
  });

  it('open PDFs and photos inline under their name, and save everything else', () => {
    expect(contentDisposition('实施方案.pdf', 'inline')).toBe(
      'inline; filename="____.pdf"; filename*=UTF-8\'\'%E5%AE%9E%E6%96%BD%E6%96%B9%E6%A1%88.pdf',
    );
    const inline = Object.entries(FILE_TYPE_INFO)
      .filter(([, info]) => dispositionFor(info.contentType) === 'inline')
      .map(([type]) => type);
    expect(inline).toEqual(['pdf', 'jpg', 'png']);
    expect(dispositionFor('text/html')).toBe('attachment');
  });
});

describe('file types by their first bytes', () => {
  it('recognise the five signatures and nothing else', () => {
    expect(detectSignature(new TextEncoder().encode('%PDF-1.7'))).toBe('pdf');
    expect(detectSignature(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe('png');
    expect(detectSignature(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toBe('jpeg');
    expect(detectSignature(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14]))).toBe('zip');
    expect(detectSignature(new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))).toBe('ole');
    expect(detectSignature(new Uint8Array([0x4d, 0x5a, 0x90, 0x00]))).toBeNull();
    expect(detectSignature(new Uint8Array([0x25, 0x50]))).toBeNull();
  });

  it('map extensions to the accepted types only', () => {
    const accepted = demoCampaign().uploads.acceptedTypes;
    expect(fileTypeOfExtension('JPEG', accepted)).toBe('jpg');
    expect(fileTypeOfExtension('wps', accepted)).toBe('wps');
    expect(fileTypeOfExtension('xlsx', accepted)).toBeNull();
    expect(fileTypeOfExtension('exe', accepted)).toBeNull();
  });
});

describe('judging an arrived object', () => {
  const campaign = demoCampaign();
  const pending: PendingUpload = {
    key: 'incoming/LY-101/k',
    unitCode: 'LY-101',
    deliverableId: 'implementation-plan',
    displayName: '方案.docx',
    fileType: 'docx',
    createdAt: '2018-01-10T00:00:00.000Z',
    expiresAt: '2018-01-10T00:10:00.000Z',
  };
  const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0]);
  const judge = (overrides: Partial<Parameters<typeof judgeUpload>[0]>) =>
    judgeUpload({
      campaign,
      pending,
      size: 100,
      firstBytes: zip,
      receivedAt: new Date('2018-01-10T00:05:00Z'),
      ...overrides,
    });

  it('accepts a matching file, on time', () => {
    expect(judge({})).toEqual({
      ok: true,
      fileType: 'docx',
      contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      displayName: '方案.docx',
      onTime: true,
    });
  });

  it('checks the size again, because local S3 enforces no policy: 0 and MAX+1 are refused', () => {
    expect(judge({ size: 0 })).toEqual({ ok: false, reason: 'empty' });
    expect(judge({ size: campaign.uploads.maxBytes + 1 })).toEqual({ ok: false, reason: 'too-large' });
    expect(judge({ size: campaign.uploads.maxBytes }).ok).toBe(true);
  });

  it('refuses unknown keys, expired forms, foreign content and mismatches', () => {
    expect(judge({ pending: null })).toEqual({ ok: false, reason: 'unknown-upload' });
    expect(judge({ receivedAt: new Date('2018-01-10T00:10:00.001Z') })).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(judge({ firstBytes: new Uint8Array([0x4d, 0x5a]) })).toEqual({
      ok: false,
      reason: 'type-not-accepted',
    });
    expect(judge({ firstBytes: new TextEncoder().encode('%PDF-1.4') })).toEqual({
      ok: false,
      reason: 'type-mismatch',
    });
  });

  it('names a file that came without a name after its deliverable and its content', () => {
    const nameless = { ...pending, fileType: null, displayName: '专项行动实施方案' };
    expect(judge({ pending: nameless, firstBytes: new TextEncoder().encode('%PDF-1.4') })).toMatchObject({
      ok: true,
      fileType: 'pdf',
      displayName: '专项行动实施方案.pdf',
    });
    // A ZIP could be docx or xlsx; only docx is accepted in 2018, so that is what it is.
    expect(judge({ pending: nameless })).toMatchObject({ ok: true, fileType: 'docx' });
  });
});
