import type { EvaluationRecord } from '../adapters/aws/evaluation-history';
import { readCall } from '../adapters/aws/read-call';
import { S3OverrideWriter } from '../adapters/aws/s3-override-store';
import { sendCallerIdentity, signedCallerIdentityRequest } from '../adapters/aws/sts-identity';
import type { AwsCredentials } from '../adapters/telemetry/sigv4';
import { OVERRIDE_ACTIONS, OVERRIDES, overrideBinding, overrideKey, overrideReasonProblem, type IdentityProof, type OverrideAction, type OverrideRecord } from '../evaluation/override/record';
import { terminalSafe } from '../report/terminal-text';
import { awsClients, awsFailure, type AwsClients } from './aws-context';
import { AWS_FLAGS, AWS_FLAGS_HELP, EXIT, parseFlags, UsageError, wantsHelp, type CommandIO } from './io';
import { inputLabel, parseDeploymentRef, type JudgedHook } from './deployment-report';
import { NoEvaluation, readDeploymentStatus } from './status-command';

export const OVERRIDE_USAGE = `usage: canary-eval override <deployment> (--skip | --promote | --rollback) --reason "<why>" [--state-machine <arn>] [--region R] [--profile P]

Break glass: tell the running evaluation of a deployment what to do instead of judging. It is honoured at
the evaluation's next look, within ${OVERRIDES.lookSeconds} s, and recorded with who (your ARN, as STS vouches for it)
and why in the verdict event, the report, the notification and the Overrides metric.
<deployment> is a CodeDeploy deployment id (d-XXXXXXXXX), an Amazon ECS service deployment ARN (its running
evaluation: the current stage or production step) or an ECS native evaluation id (that evaluation, which must
be running). An override of an ECS native deployment is for one stage or step: the next step is judged again.
  --skip               report Succeeded without judging (bake), or end the canary watch without judging
  --promote            end the bake or the canary watch now, Succeeded (the window so far is judged for the record)
  --rollback           report Failed (bake), or fail the canary watch: the verdict alarm, and StopDeployment
                       when the policy lets the watch stop deployments
  --reason "<why>"     required, at most ${OVERRIDES.maxReasonLength} characters
  --state-machine <a>  the evaluator's state machine ARN (default: CANARY_EVAL_STATE_MACHINE, else discovered)
${AWS_FLAGS_HELP}
Needs the evaluator's override permission (CanaryEvaluator.grantOverride; README, "Break-glass overrides").
Exit codes: 0 recorded, 1 refused (no evaluation running, overrides forbidden, already overridden),
2 usage, 6 AWS error (names the action).`;

/** What `override` needs from the world; tests inject the clients, the credentials and STS. */
export interface OverrideDependencies {
  readonly clients?: (options: { region?: string; profile?: string }) => AwsClients;
  readonly now?: () => Date;
  /** The caller's credentials, to sign the proof of identity with. @default - the S3 client's credential chain */
  readonly credentials?: (clients: AwsClients) => Promise<AwsCredentials>;
  /** Sends the signed GetCallerIdentity request, returns the ARN. @default - HTTPS to STS */
  readonly sts?: (proof: IdentityProof) => Promise<string>;
}

/** Why an override cannot be recorded (exit 1), said as the on-call engineer needs it. */
class Refusal extends Error {}

/**
 * The evaluation an override is for: the running one (the later hook if two overlap, as the canary
 * watch ends when the bake hook starts; for an ECS native deployment, the current stage or step), or the
 * one evaluation an ECS native evaluation id named (`only`). It must look for overrides and allow them.
 */
export function evaluationToOverride(deploymentId: string, hooks: readonly JudgedHook[], only?: string): EvaluationRecord {
  const started = hooks.flatMap((hook) => (hook.record && (only === undefined || hook.ecsNative?.evaluationId === only) ? [hook.record] : []));
  const native = hooks.some((hook) => hook.ecsNative);
  if (started.length === 0) throw new Refusal(`deployment ${deploymentId} has no evaluation: none of its hooks started one (is its ${native ? 'service' : 'group'} registered with the evaluator?)`);
  const running = started.filter((record) => record.status === 'RUNNING');
  const target = running.at(-1);
  if (!target) {
    const ended = started.map((record) => `${inputLabel(record.input)} ${record.status}${record.report ? ` (hook reported ${record.report.status})` : ''}`).join(', ');
    const act = native ? 'Amazon ECS itself (aws ecs stop-service-deployment)' : 'CodeDeploy itself (aws deploy stop-deployment)';
    throw new Refusal(`no evaluation of ${deploymentId} is running (${ended}): its verdict is in, and an override after the verdict changes nothing. Use ${act} to act on the deployment now`);
  }
  const settings = target.input.override;
  if (!settings) throw new Refusal(`the evaluation ${target.executionName} does not look for overrides: its ${native ? 'service' : 'group'} was registered through an imported evaluator without its report bucket (fromEvaluatorName, or fromEvaluatorAttributes without reportBucketName) or before overrides existed`);
  if (!settings.allowed) throw new Refusal(`the registration of ${target.input.applicationName} / ${target.input.deploymentGroupName} forbids overrides (allowOverrides: false); the evaluation would refuse it`);
  if (target.plan?.phase === 'pre-traffic' && !target.plan.canaryWatch) throw new Refusal(`the evaluation ${target.executionName} has no canary watch, so nothing of it looks for an override; its hook is reported after its smoke tests`);
  return target;
}

/** `canary-eval override`. */
export async function overrideCommand(argv: readonly string[], io: CommandIO, deps: OverrideDependencies = {}): Promise<number> {
  if (wantsHelp(argv)) {
    io.stdout(OVERRIDE_USAGE);
    return EXIT.ok;
  }
  let values: { region?: string; profile?: string; 'state-machine'?: string };
  let deploymentId: string;
  let action: OverrideAction;
  let reason: string;
  try {
    const parsed = parseFlags(argv, { ...AWS_FLAGS, skip: { type: 'boolean' }, promote: { type: 'boolean' }, rollback: { type: 'boolean' }, reason: { type: 'string' }, 'state-machine': { type: 'string' } }, true);
    values = parsed.values;
    if (parsed.positionals.length !== 1) throw new UsageError(parsed.positionals.length === 0 ? 'a deployment id is required' : `one deployment id expected, got ${parsed.positionals.join(' ')}`);
    deploymentId = parsed.positionals[0];
    parseDeploymentRef(deploymentId);
    const actions = OVERRIDE_ACTIONS.filter((name) => parsed.values[name] === true);
    if (actions.length !== 1) throw new UsageError(actions.length === 0 ? 'one action is required: --skip, --promote or --rollback' : `one action only, got ${actions.map((name) => `--${name}`).join(' and ')}`);
    action = actions[0];
    reason = parsed.values.reason ?? '';
    const problem = overrideReasonProblem(reason);
    if (problem) throw new UsageError(problem);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`canary-eval override: ${error.message}\n\n${OVERRIDE_USAGE}`);
    return EXIT.usage;
  }
  const now = deps.now ?? (() => new Date());
  try {
    const clients = (deps.clients ?? awsClients)({ region: values.region, profile: values.profile });
    const { hooks, only } = await readDeploymentStatus(clients, deploymentId, values['state-machine'] ?? process.env.CANARY_EVAL_STATE_MACHINE, now());
    const target = evaluationToOverride(deploymentId, hooks, only);
    const settings = target.input.override!;
    // The evaluation's own id: the CodeDeploy deployment id, or the ECS native evaluation id (one record per stage and step).
    const evaluationId = target.input.deploymentId;
    const content = { deploymentId: evaluationId, lifecycleEvent: target.input.lifecycleEvent, action, reason, requestedAt: now().toISOString() };
    const credentials = await readCall('sts:GetCallerIdentity', () => (deps.credentials ?? defaultCredentials)(clients), { maxAttempts: 1 });
    const proof = signedCallerIdentityRequest(credentials, clients.region, overrideBinding(content), now());
    // Sent once here: the ARN to record, and a proof STS refuses fails now rather than at the evaluation.
    const callerArn = await readCall('sts:GetCallerIdentity', () => (deps.sts ?? sendCallerIdentity)(proof), { maxAttempts: 1 });
    const record: OverrideRecord = { ...content, callerArn, proof };
    const key = overrideKey(evaluationId, target.input.lifecycleEvent);
    const created = await readCall('s3:PutObject', () => new S3OverrideWriter(clients.s3).create(settings.bucket, key, record), { maxAttempts: 1 });
    if (created === 'exists') throw new Refusal(`${target.executionName} is already overridden (s3://${settings.bucket}/${key}): the first override of a hook stands`);
    const safe = terminalSafe({ callerArn, reason, executionName: target.executionName });
    io.stdout(
      [
        `Override recorded: ${action} ${safe.executionName} by ${safe.callerArn} — ${safe.reason}`,
        `  s3://${settings.bucket}/${key}`,
        `The evaluation honours it at its next look, within ${OVERRIDES.lookSeconds} s. Follow it: canary-eval status ${deploymentId} --watch`,
      ].join('\n'),
    );
    return EXIT.ok;
  } catch (error) {
    if (error instanceof Refusal || error instanceof NoEvaluation) {
      io.stderr(`canary-eval override: ${terminalSafe(error.message)}`);
      return EXIT.invalid;
    }
    const code = awsFailure('override', error, io);
    if (code !== undefined) return code;
    throw error;
  }
}

/** The caller's credentials from the standard chain (the same the S3 client uses: `--profile`, environment, SSO…). */
async function defaultCredentials(clients: AwsClients): Promise<AwsCredentials> {
  const credentials = await clients.s3.config.credentials();
  return { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}) };
}
