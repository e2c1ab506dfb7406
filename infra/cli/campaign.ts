import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { JSON_SCHEMAS, renderJsonSchema } from '../../schemas/json-schema.ts';
import { type FieldIssue, formatIssue } from '../../schemas/validation.ts';
import { readCampaignFile, readRosterFile, rosterPathFor } from '../campaign-files.ts';

const USAGE = `campaign: the admin's command-line tool

Usage:
  campaign validate <campaign.json> [--roster <roster.json>]
      Checks a campaign config and its roster (by default <name>.roster.json beside it).
      Prints every mistake with its path and value; exits 1 if there is any.
  campaign schemas
      Regenerates schemas/json/*.schema.json from the zod schemas.
`;

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

const consoleOutput: Output = { out: (line) => console.log(line), err: (line) => console.error(line) };

function report(output: Output, file: string, issues: FieldIssue[]): void {
  output.err(`✗ ${file}: ${issues.length} 处错误 / ${issues.length} problem(s)`);
  for (const issue of issues) output.err(`  ${formatIssue(issue)}`);
}

async function validate(args: string[], output: Output): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { roster: { type: 'string' } },
  });
  const [file] = positionals;
  if (file === undefined || positionals.length > 1) {
    output.err(USAGE);
    return 2;
  }
  const campaign = await readCampaignFile(file);
  if (!campaign.ok) {
    report(output, file, campaign.issues);
    return 1;
  }
  const { value } = campaign;
  output.out(
    `✓ ${file}: ${value.id} — ${value.deliverables.length} deliverables, ${value.hazardDrive.areas.length} hazard areas, ${value.districts.length} districts`,
  );
  const rosterFile = values.roster ?? rosterPathFor(file);
  const roster = await readRosterFile(rosterFile, value).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' && values.roster === undefined) return null;
    throw error;
  });
  if (roster === null) {
    output.out(`  (no roster at ${rosterFile})`);
    return 0;
  }
  if (!roster.ok) {
    report(output, rosterFile, roster.issues);
    return 1;
  }
  output.out(`✓ ${rosterFile}: ${roster.value.units.length} units`);
  return 0;
}

async function writeSchemas(output: Output): Promise<number> {
  const dir = join(dirname(fileURLToPath(import.meta.url)), '../../schemas/json');
  for (const name of Object.keys(JSON_SCHEMAS) as (keyof typeof JSON_SCHEMAS)[]) {
    await writeFile(join(dir, name), renderJsonSchema(name));
    output.out(`wrote schemas/json/${name}`);
  }
  return 0;
}

export async function main(argv: string[], output: Output = consoleOutput): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'validate':
        return await validate(rest, output);
      case 'schemas':
        return await writeSchemas(output);
      default:
        output.err(USAGE);
        return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
    }
  } catch (error) {
    output.err(`campaign ${command}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
