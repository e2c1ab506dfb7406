import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Size, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { FUNCTION_TIMEOUT_SECONDS, type FunctionName } from '../../functions/shared/function-limits.ts';
import { METRICS_NAMESPACE } from '../../functions/shared/metrics.ts';
import { type DeployedEnv, lambdaEnvironment } from './function-env.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

export interface CampaignFunctionProps<N extends FunctionName = FunctionName> {
  /** Which function: its entry is `functions/<name>/index.ts`, its timeout from `FUNCTION_TIMEOUT_SECONDS`. */
  name: N;
  description: string;
  memorySize: number;
  /** Space in /tmp beyond Lambda's default 512 MiB, for work spooled to disk. */
  ephemeralStorageMiB?: number;
  /** Caps concurrent runs where they would swamp DynamoDB or SES; unset, the account's pool. */
  reservedConcurrency?: number;
  /** X-Ray; off in the China partition. */
  tracing: boolean;
  /** What its entry parses (`schemas/env.ts`). */
  environment: DeployedEnv<N>;
}

/**
 * One Lambda function of the campaign, with the defaults every one shares: Node.js 22 on arm64,
 * bundled locally by esbuild (minified ESM with source maps, the pinned AWS SDK v3 included: the
 * runtime's own copy varies by runtime version and region), an explicit memory size and timeout,
 * its own log group kept for a year, and Powertools' service name and metrics namespace.
 */
export class CampaignFunction<N extends FunctionName = FunctionName> extends Construct {
  readonly fn: NodejsFunction;

  constructor(scope: Construct, id: string, props: CampaignFunctionProps<N>) {
    super(scope, id);
    const logGroup = new LogGroup(this, 'Logs', {
      retention: RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Its own role, allowed to write its own log group only (not the managed basic-execution policy).
    const role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(role);
    this.fn = new NodejsFunction(this, 'Function', {
      entry: `${root}functions/${props.name}/index.ts`,
      projectRoot: root,
      depsLockFilePath: `${root}package-lock.json`,
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      ...(props.ephemeralStorageMiB === undefined
        ? {}
        : { ephemeralStorageSize: Size.mebibytes(props.ephemeralStorageMiB) }),
      timeout: Duration.seconds(FUNCTION_TIMEOUT_SECONDS[props.name]),
      ...(props.reservedConcurrency === undefined
        ? {}
        : { reservedConcurrentExecutions: props.reservedConcurrency }),
      tracing: props.tracing ? Tracing.ACTIVE : Tracing.DISABLED,
      logGroup,
      role,
      // No --enable-source-maps: Node then parses the 3.5 MB map at every cold start (~230 ms
      // measured, bench/RESULTS.md). The map ships beside the bundle to decode a stack by hand.
      environment: lambdaEnvironment({
        ...props.environment,
        // Powertools: the `service` dimension of every metric, and the namespace the alarms read.
        POWERTOOLS_SERVICE_NAME: props.name,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      }),
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        mainFields: ['module', 'main'],
        externalModules: [],
        // CommonJS dependencies (exceljs, nodemailer) call require(); ESM output needs it defined.
        banner:
          "import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);",
        forceDockerBundling: false,
      },
    });
    Validations.of(this.fn).acknowledge(
      {
        id: 'AwsSolutions::AwsSolutions-L1',
        reason:
          'Node.js 22 on purpose: the version the local runtime and the tests run (the `node` devDependency); they move together.',
      },
      {
        id: 'Serverless::Serverless-LambdaLatestVersion',
        reason: 'Node.js 22 on purpose, as for AwsSolutions-L1.',
      },
    );
    if (!props.tracing)
      Validations.of(this.fn).acknowledge({
        id: 'Serverless::Serverless-LambdaTracing',
        reason:
          'No X-Ray in the China partition deployments this campaign targets; structured logs and alarms remain.',
      });
    if (props.tracing)
      Validations.of(role).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions.',
      });
  }
}
