import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, type HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { HTTP_ROUTES } from '../../functions/http/routes.ts';
import type { Campaign } from '../../schemas/campaign.ts';
import { ResourceGroup } from './resource-group.ts';

export interface CampaignApiProps {
  campaign: Campaign;
}

/**
 * The HTTP API of the form pages: one route per route key, so the access log names the route,
 * never the token in the path; throttled, and logged for a year.
 */
export class CampaignApi extends ResourceGroup {
  /** The stage's own URL. */
  readonly url: string;
  /** Where units' links point: the campaign's public address, else the stage's URL. */
  readonly publicUrl: string;
  private readonly api: HttpApi;

  constructor(scope: Construct, id: string, props: CampaignApiProps) {
    super(scope, id);
    const { campaign } = props;
    this.api = new HttpApi(this, 'Api', { createDefaultStage: false, description: campaign.name.en });
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const stage = new HttpStage(this, 'Stage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 50, burstLimit: 100 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
            responseBytes: '$context.responseLength',
          }),
        ),
      },
    });
    this.url = stage.url;
    this.publicUrl = campaign.web?.publicUrl ?? stage.url;
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions::AwsSolutions-APIG4',
      reason:
        "Schools have no accounts: the form link's 256-bit token in the path is the authorisation. It is stored only as a hash, checked on every route, and bad tokens are rate-limited per source.",
    });
  }

  /** Routes every route key of `HTTP_ROUTES` to `handler` (the HTTP function, which needs `publicUrl` first). */
  routeTo(handler: IFunction): void {
    const integration = new HttpLambdaIntegration('Pages', handler);
    for (const routeKey of HTTP_ROUTES) {
      const [method, path] = routeKey.split(' ') as [HttpMethod, string];
      this.api.addRoutes({ path, methods: [method], integration });
    }
  }
}
