import type { FunctionName } from '../../functions/shared/function-limits.ts';
import type { DailyCheckEnv, FunctionEnv } from '../../schemas/env.ts';

/** What each function's entry parses its environment with (`functions/<name>/index.ts`). */
export type FunctionEnvOf<N extends FunctionName> = N extends 'daily-check' ? DailyCheckEnv : FunctionEnv;

/** Set only by the local runtime: in AWS these come from Secrets Manager, read at init. */
type LocalOnly = 'LINK_KEY' | 'SMTP_USER' | 'SMTP_PASSWORD';
/** Set by `CampaignFunction` for every function alike. */
type Shared = 'POWERTOOLS_SERVICE_NAME' | 'POWERTOOLS_METRICS_NAMESPACE';

/**
 * The environment the stack gives function `N`: the type its entry parses, less what only the
 * local runtime sets and what every function shares. A required variable left out is a compile
 * error. Values may be CDK tokens (strings that resolve at deploy).
 */
export type DeployedEnv<N extends FunctionName> = Omit<FunctionEnvOf<N>, LocalOnly | Shared>;

/** The Lambda `environment` for a typed one: each set variable as it is, unset optional ones left out. */
export function lambdaEnvironment(env: Partial<Record<keyof DailyCheckEnv, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}
