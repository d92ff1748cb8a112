import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { ECSClient } from '@aws-sdk/client-ecs';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { AwsReadError } from '../adapters/aws/read-call';
import { EXIT, type CommandIO } from './io';

/** The SDK clients of a command, built with the standard credential chain (`--region`, `--profile`). */
export interface AwsClients {
  readonly region: string;
  readonly codedeploy: CodeDeployClient;
  readonly sfn: SFNClient;
  readonly cloudwatch: CloudWatchClient;
  readonly s3: S3Client;
  /** Amazon ECS: service deployments of ECS native strategies (`status`, `report`, `history`, `override`). */
  readonly ecs: ECSClient;
}

export function awsClients(options: { readonly region?: string; readonly profile?: string }): AwsClients {
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) throw new AwsReadError('(configuration)', 'other', 'no AWS region: pass --region or set AWS_REGION');
  const config = { region, ...(options.profile ? { profile: options.profile } : {}), maxAttempts: 4 };
  return { region, codedeploy: new CodeDeployClient(config), sfn: new SFNClient(config), cloudwatch: new CloudWatchClient(config), s3: new S3Client(config), ecs: new ECSClient(config) };
}

/** Prints an AWS failure as one line naming the action, and gives the AWS exit code. */
export function awsFailure(command: string, error: unknown, io: CommandIO): number | undefined {
  if (error instanceof AwsReadError) {
    io.stderr(`canary-eval ${command}: ${error.message}`);
    return EXIT.aws;
  }
  const name = (error as { name?: string })?.name ?? '';
  if (/CredentialsProviderError|ProviderError|TokenProviderError/.test(name)) {
    io.stderr(`canary-eval ${command}: no AWS credentials (${(error as Error).message}); use --profile, AWS_PROFILE or the standard credential chain`);
    return EXIT.aws;
  }
  return undefined;
}
