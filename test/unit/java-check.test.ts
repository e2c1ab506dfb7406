import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertJava, JavaMissingError } from '../../infra/local/embedded-servers.ts';

describe('the Java check before DynamoDB Local starts', () => {
  it('says clearly that Java is missing and how to install it', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'no-java-'));
    const path = process.env.PATH;
    process.env.PATH = empty;
    try {
      expect(() => assertJava()).toThrow(JavaMissingError);
      expect(() => assertJava()).toThrow(/apt-get install openjdk-17-jre-headless/);
      expect(() => assertJava()).toThrow(/需要 Java 17/);
    } finally {
      process.env.PATH = path;
      await rm(empty, { recursive: true });
    }
  });

  it('passes where java is on PATH', () => {
    expect(() => assertJava()).not.toThrow();
  });
});
