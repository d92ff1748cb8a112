import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { CfnElement, type IPolicyValidationContextBeta1, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Construct } from 'constructs';
import { GUARD_ACKNOWLEDGEMENTS, type GuardAcknowledgement, type GuardOwner } from '../../lib/constructs/guard-acknowledgements';
import { DemoStack } from '../../lib/demo/demo-stack';
import { allOptionsStack, ENV, noBundlingApp } from './support/all-options-stack';

/**
 * cfn-guard with the AWS Control Tower proactive controls (the validator's bundled binary, offline)
 * over the demo app (bin/app.ts's DemoStack) and the all-options app. Every finding must be in
 * GUARD_ACKNOWLEDGEMENTS under its owner: the evaluator's own resources or the service around it.
 */
interface Finding {
  readonly rule: string;
  readonly owner: GuardOwner | 'unknown';
  readonly stack: string;
  readonly logicalId: string;
}

interface Synthesized {
  readonly stack: Stack;
  /** The evaluator construct: resources under its path are the evaluator's own. */
  readonly evaluator: Construct;
}

const validator = new CfnGuardValidator({ maxBuffer: 64 * 1024 * 1024 });

function findingsOf(apps: readonly Synthesized[]): Finding[] {
  const dir = mkdtempSync(join(tmpdir(), 'cfn-guard-'));
  const templates = new Map<string, { stack: string; constructPaths: Map<string, string>; evaluatorPath: string }>();
  for (const { stack, evaluator } of apps) {
    const path = join(dir, `${stack.stackName}.template.json`);
    writeFileSync(path, JSON.stringify(Template.fromStack(stack).toJSON()));
    // Logical id → construct path (the test apps carry no aws:cdk:path metadata).
    const constructPaths = new Map(stack.node.findAll().filter(CfnElement.isCfnElement).map((element) => [stack.getLogicalId(element), element.node.path] as const));
    templates.set(path, { stack: stack.stackName, constructPaths, evaluatorPath: `${evaluator.node.path}/` });
  }
  const report = validator.validate({ templatePaths: [...templates.keys()] } as unknown as IPolicyValidationContextBeta1);
  const found = report.violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => {
      const template = templates.get(resource.templatePath)!;
      // Some rules leave the logical id out; their locations still name the resource.
      const logicalId = resource.resourceLogicalId ?? resource.locations.map((location) => location.split('/')[2]).find(Boolean);
      const cdkPath = logicalId === undefined ? undefined : template.constructPaths.get(logicalId);
      const owner: Finding['owner'] = cdkPath === undefined ? 'unknown' : cdkPath.startsWith(template.evaluatorPath) ? 'evaluator' : 'service';
      return { rule: violation.ruleName, owner, stack: template.stack, logicalId: logicalId ?? '(none)' };
    }),
  );
  // cfn-guard's structured output may repeat a rule's failure with no resource (one per clause): such an
  // entry is dropped only when the same rule names a resource in the same template; otherwise it stays
  // `unknown`, which no row acknowledges.
  return found.filter((finding) => finding.logicalId !== '(none)' || !found.some((other) => other.rule === finding.rule && other.stack === finding.stack && other.logicalId !== '(none)'));
}

function unacknowledged(findings: readonly Finding[], table: readonly GuardAcknowledgement[]): string[] {
  return findings.filter((finding) => !table.some((row) => row.rule === finding.rule && row.owner === finding.owner)).map((f) => `${f.rule} on ${f.owner} resource ${f.stack}/${f.logicalId}`);
}

function demoApp(): Synthesized {
  const stack = new DemoStack(noBundlingApp(), 'CanaryEvaluatorDemo', { env: ENV });
  return { stack, evaluator: stack.evaluator };
}

function allOptionsApp(): Synthesized {
  const { stack, evaluator } = allOptionsStack();
  return { stack, evaluator };
}

describe('cfn-guard (Control Tower proactive controls)', () => {
  let findings: Finding[];
  beforeAll(() => {
    findings = findingsOf([demoApp(), allOptionsApp()]);
  });

  test('every finding is acknowledged, under its owner, with a reason', () => {
    expect(findings.length).toBeGreaterThan(0);
    expect(unacknowledged(findings, GUARD_ACKNOWLEDGEMENTS)).toEqual([]);
    for (const row of GUARD_ACKNOWLEDGEMENTS) expect(row.reason.length).toBeGreaterThan(20);
  });

  test('no acknowledgement is stale: each one matches a finding', () => {
    const stale = GUARD_ACKNOWLEDGEMENTS.filter((row) => !findings.some((finding) => finding.rule === row.rule && finding.owner === row.owner));
    expect(stale).toEqual([]);
  });

  test('the demo app fails 21 rules, 10 of them on the evaluator’s own resources (5 on its report bucket)', () => {
    const demo = findings.filter((finding) => finding.stack === 'CanaryEvaluatorDemo');
    const rules = (owner?: GuardOwner) => [...new Set(demo.filter((finding) => !owner || finding.owner === owner).map((finding) => finding.rule))].sort();
    expect(rules()).toHaveLength(21);
    expect(rules('evaluator')).toEqual([
      'cloudwatch_alarm_action_check',
      'cloudwatch_log_group_encrypted_check',
      'cloudwatch_log_group_retention_period_check',
      'lambda_inside_vpc_check',
      's3_bucket_default_encryption_kms_check',
      's3_bucket_logging_enabled_check',
      's3_bucket_object_lock_enabled_check',
      's3_bucket_versioning_enabled_check',
      's3_event_notifications_enabled_check',
      'sqs_dlq_check',
    ]);
  });

  test('negative control: a new finding on the evaluator’s resources is not acknowledged', () => {
    const app = demoApp();
    // A bare DynamoDB table inside the evaluator: DynamoDB rules no row acknowledges.
    new dynamodb.CfnTable(app.evaluator, 'StrayTable', { keySchema: [{ attributeName: 'id', keyType: 'HASH' }], attributeDefinitions: [{ attributeName: 'id', attributeType: 'S' }], billingMode: 'PAY_PER_REQUEST' });
    const stray = unacknowledged(findingsOf([app]), GUARD_ACKNOWLEDGEMENTS);
    expect(stray.length).toBeGreaterThan(0);
    expect(stray.every((line) => line.includes('on evaluator resource CanaryEvaluatorDemo/CanaryEvaluatorStrayTable'))).toBe(true);
  });
});
