#!/usr/bin/env node
// The `campaign` bin: loads the TypeScript CLI through tsx, so admins run it straight from a clone.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./campaign.ts');
process.exitCode = await main(process.argv.slice(2));
