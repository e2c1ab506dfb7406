// npm run bench -- <name>: runs bench/<name>.ts (default: all of them, one after another).
import { readdir } from 'node:fs/promises';

const names = process.argv.slice(2);
const all = (await readdir(new URL('.', import.meta.url)))
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .map((f) => f.replace(/\.ts$/, ''));
for (const name of names.length > 0 ? names : all) {
  if (!all.includes(name)) throw new Error(`no bench named ${name}; have: ${all.join(', ')}`);
  console.log(`\n## ${name}\n`);
  await import(`./${name}.ts`);
}
