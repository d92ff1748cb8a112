import { runSimulation } from '@cloud-copilot/iam-simulate';
import { Template } from 'aws-cdk-lib/assertions';
import { DemoStack } from '../../lib/demo/demo-stack';
import { allOptionsStack, ENV, LOG_GROUP, noBundlingApp, SMOKE_PARAMETER, SMOKE_SECRET_PARTIAL_ARN } from './support/all-options-stack';
import { adapterCommands, FORBIDDEN_CALLS, HANDLER_CALLS, HANDLERS, type Call, type Handler, type Resolved } from './support/handler-calls';
import { render } from './support/iam-reference';

/**
 * Each evaluator role, simulated with `@cloud-copilot/iam-simulate` on its identity policies as
 * synthesized (tokens resolved as in the IAM reference test): allowed every call its handler makes
 * (support/handler-calls.ts, one table per handler), denied the calls it must not make.
 * KMS calls are left out: a key's own policy decides them, which an identity-policy simulation cannot.
 */
type TemplateJson = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
const ACCOUNT = ENV.account;

/** A CloudFormation value with every intrinsic rendered (`render` joins lists, so lists are walked here). */
function renderDeep(value: unknown, template: TemplateJson): unknown {
  if (Array.isArray(value)) return value.map((v) => renderDeep(v, template));
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) return render(value, template as never);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderDeep(v, template)]));
  }
  return value;
}

interface Options {
  readonly alarmNames: readonly string[];
  readonly stopsDeployments: boolean;
  readonly smokeSecretArns: readonly string[];
  readonly smokeParameterArns: readonly string[];
  readonly logGroups: readonly string[];
}

/** The template's ARNs, as its own tokens render; `options` are what the stack's registrations were given. */
function resolve(template: TemplateJson, options: Options, hookEnvironment?: Record<string, unknown>): Resolved {
  const ids = (type: string) => Object.keys(template.Resources).filter((id) => template.Resources[id].Type === type);
  // The standard machine first (the extended one, with ecsNativeMaxHookTimeout, is under EcsNativeExtended); a hook's is the one its environment names.
  const allMachines = ids('AWS::StepFunctions::StateMachine').sort((a, b) => Number(a.includes('EcsNativeExtended')) - Number(b.includes('EcsNativeExtended')));
  const hookMachine = (hookEnvironment?.STATE_MACHINE_ARN as { Ref?: string } | undefined)?.Ref;
  const stateMachine = hookMachine ?? allMachines[0];
  const executionOf = (machine: string) => `arn:aws:states:us-east-1:${ACCOUNT}:execution:${render({ 'Fn::GetAtt': [machine, 'Name'] }, template as never)}:d-EXAMPLE-AfterAllowTraffic`;
  const groups = ids('AWS::CodeDeploy::DeploymentGroup').map((id) => {
    const applicationRef = template.Resources[id].Properties!.ApplicationName as { Ref: string };
    const application = render(applicationRef, template as never);
    return {
      groupArn: `arn:aws:codedeploy:us-east-1:${ACCOUNT}:deploymentgroup:${application}/${id}`,
      applicationArn: `arn:aws:codedeploy:us-east-1:${ACCOUNT}:application:${application}`,
      ecs: template.Resources[applicationRef.Ref].Properties?.ComputePlatform === 'ECS',
    };
  });
  const hookEnvironments = ids('AWS::Lambda::Function')
    .map((id) => (template.Resources[id].Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables)
    .filter((variables) => variables?.POLICY_KEY !== undefined) as Array<Record<string, unknown>>;
  const ownGroups = hookEnvironment ? groups.filter((g) => g.ecs === (hookEnvironment.ECS_TARGETS !== undefined)) : groups;
  const revisionBuckets = ids('AWS::S3::Bucket').filter((id) => id.startsWith('Revisions'));
  const tags = ids('AWS::CodeDeploy::DeploymentGroup').flatMap((id) => (template.Resources[id].Properties!.Tags ?? []) as Array<{ Key: string; Value: string }>);
  const registrationTag = tags.find((tag) => tag.Key === 'canary-evaluator')?.Value;
  if (registrationTag === undefined) throw new Error('no deployment group of the template carries the canary-evaluator tag');
  return {
    registrationTag,
    stateMachineArn: render({ Ref: stateMachine }, template as never),
    executionArn: executionOf(stateMachine),
    machines: allMachines.map((machine) => ({ stateMachineArn: render({ Ref: machine }, template as never), executionArn: executionOf(machine) })),
    otherStateMachineArns: allMachines.filter((machine) => machine !== stateMachine).map((machine) => render({ Ref: machine }, template as never)),
    policyObjects: [...new Set(hookEnvironments.map((v) => `arn:aws:s3:::${String(v.POLICY_BUCKET)}/${String(v.POLICY_KEY)}`))],
    groups: ownGroups,
    functionVersions: ids('AWS::Lambda::Alias').map((id) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${render(template.Resources[id].Properties!.FunctionName, template as never)}:2`),
    alarmArns: options.alarmNames.map((name) => `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:${name}`),
    stopsDeployments: options.stopsDeployments,
    smokeSecretArns: options.smokeSecretArns,
    smokeParameterArns: options.smokeParameterArns,
    logGroupArns: options.logGroups.map((name) => `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:${name}`),
    reportBuckets: ids('AWS::S3::Bucket')
      .filter((id) => id.includes('ReportsBucket'))
      .map((id) => render({ 'Fn::GetAtt': [id, 'Arn'] }, template as never)),
    notificationTopics: ids('AWS::SNS::Topic')
      .filter((id) => id.includes('NotificationsTopic'))
      .map((id) => render({ Ref: id }, template as never)),
    revisionObjects: hookEnvironment && !hookEnvironment.ECS_TARGETS ? revisionBuckets.map((id) => `${render({ 'Fn::GetAtt': [id, 'Arn'] }, template as never)}/revisions/app.json`) : [],
  };
}

/** The evaluator's roles: each function's role, the handler its code is, and its identity policies. */
function roles(template: TemplateJson) {
  const handlerOf = (id: string, variables: Record<string, unknown>): Handler | undefined => {
    if (variables.LIFECYCLE_EVENT !== undefined) return 'hook';
    if (variables.ECS_NATIVE_SERVICE !== undefined) return 'ecs-hook';
    return HANDLERS.find((h) => id.includes(`${h[0].toUpperCase()}${h.slice(1)}Function`));
  };
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
    .flatMap(([id, r]) => {
      const variables = ((r.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}) as Record<string, unknown>;
      const handler = variables.POWERTOOLS_SERVICE_NAME === 'canary-evaluator' ? handlerOf(id, variables) : undefined;
      if (!handler) return [];
      const roleId = (r.Properties!.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const policies = Object.entries(template.Resources)
        .filter(([, p]) => p.Type === 'AWS::IAM::Policy' && (renderDeep(p.Properties!.Roles, template) as string[]).includes(roleId))
        .map(([policyId, p]) => ({ name: policyId, policy: renderDeep(p.Properties!.PolicyDocument, template) }));
      expect(template.Resources[roleId].Properties?.ManagedPolicyArns ?? []).toEqual([]);
      return [{ functionId: id, handler, roleId, policies, hookEnvironment: handler === 'hook' || handler === 'ecs-hook' ? variables : undefined }];
    });
}

async function decide(role: ReturnType<typeof roles>[number], action: string, resource: string, context: Record<string, string> = {}) {
  const response = await runSimulation(
    {
      request: { principal: `arn:aws:iam::${ACCOUNT}:role/${role.roleId}`, action, resource: { resource, accountId: ACCOUNT }, contextVariables: context },
      identityPolicies: role.policies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (response.resultType === 'error') return `error: ${JSON.stringify(response.errors)}`;
  return response.overallResult;
}

const cases: Array<[string, TemplateJson, Options]> = [
  ['demo app', Template.fromStack(new DemoStack(noBundlingApp(), 'Demo', { env: ENV })).toJSON() as TemplateJson, { alarmNames: [], stopsDeployments: false, smokeSecretArns: [], smokeParameterArns: [], logGroups: [] }],
  ['all-options variant', Template.fromStack(allOptionsStack().stack).toJSON() as TemplateJson, {
      alarmNames: ['orders-db-healthy'],
      stopsDeployments: true,
      // The secret as Secrets Manager names it: the partial ARN in the policy plus its six random characters.
      smokeSecretArns: [`${SMOKE_SECRET_PARTIAL_ARN}-AbC123`],
      smokeParameterArns: [`arn:aws:ssm:us-east-1:${ACCOUNT}:parameter${SMOKE_PARAMETER}`],
      logGroups: [LOG_GROUP],
    },
  ],
];

const requests = (calls: readonly Omit<Call, 'command'>[], resolved: Resolved) =>
  calls.flatMap((call) => call.resources(resolved).map((resource) => ({ action: call.action, resource, context: typeof call.context === 'function' ? call.context(resolved) : call.context })));

describe('IAM simulation: each role is allowed exactly what its handler calls', () => {
  test.each(HANDLERS)('the %s table lists every SDK command its adapters send', (handler) => {
    const commands = adapterCommands(handler);
    expect(commands.length).toBeGreaterThan(0);
    expect(commands.filter((command) => !HANDLER_CALLS[handler].some((call) => call.command === command))).toEqual([]);
  });

  describe.each(cases)('%s', (_name, template, options) => {
    const found = roles(template);

    test('finds a role for every handler', () => {
      expect([...new Set(found.map((r) => r.handler))].sort()).toEqual([...HANDLERS].sort());
    });

    test.each(HANDLERS)('%s: allowed every call of its table', async (handler) => {
      const results: string[] = [];
      for (const role of found.filter((r) => r.handler === handler)) {
        const wanted = requests(HANDLER_CALLS[handler], resolve(template, options, role.hookEnvironment));
        expect(wanted.length).toBeGreaterThan(0);
        for (const { action, resource, context } of wanted) results.push(`${role.roleId} ${action} ${resource}: ${await decide(role, action, resource, context)}`);
      }
      expect(results.filter((line) => !line.endsWith(': Allowed'))).toEqual([]);
    });

    test.each(HANDLERS)('%s: denied the calls it must not make', async (handler) => {
      const results: string[] = [];
      for (const role of found.filter((r) => r.handler === handler)) {
        for (const { action, resource, context } of requests(FORBIDDEN_CALLS[handler], resolve(template, options, role.hookEnvironment))) {
          results.push(`${role.roleId} ${action} ${resource}: ${await decide(role, action, resource, context)}`);
        }
      }
      expect(results.length).toBeGreaterThan(0);
      expect(results.filter((line) => !/: (ImplicitlyDenied|ExplicitlyDenied)$/.test(line))).toEqual([]);
    });
  });
});

// Issue 24 finding 1: Lambda creates a VPC function's network interfaces with the function's role.
describe('IAM simulation: the smoke role of an evaluator with smokeTestVpc', () => {
  const template = cases.find(([name]) => name === 'all-options variant')![1];
  const smoke = roles(template).find((role) => role.handler === 'smoke')!;
  const networkInterface = `arn:aws:ec2:us-east-1:${ACCOUNT}:network-interface/eni-0123456789abcdef0`;
  const subnet = `arn:aws:ec2:us-east-1:${ACCOUNT}:subnet/subnet-0123456789abcdef0`;

  test.each([
    ['ec2:CreateNetworkInterface', networkInterface],
    ['ec2:CreateNetworkInterface', subnet],
    ['ec2:DeleteNetworkInterface', networkInterface],
    ['ec2:AssignPrivateIpAddresses', networkInterface],
    ['ec2:UnassignPrivateIpAddresses', networkInterface],
    ['ec2:DescribeNetworkInterfaces', '*'],
    ['ec2:DescribeSubnets', '*'],
  ])('may %s on %s', async (action, resource) => {
    expect(await decide(smoke, action, resource)).toBe('Allowed');
  });

  test.each([
    ['ec2:DeleteNetworkInterface', networkInterface.replace(ACCOUNT, '210987654321')],
    ['ec2:CreateNetworkInterface', networkInterface.replace('us-east-1', 'eu-west-1')],
    ['ec2:TerminateInstances', `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-0123456789abcdef0`],
  ])('may not %s on %s', async (action, resource) => {
    expect(await decide(smoke, action, resource)).toMatch(/Denied$/);
  });

  test('no other evaluator role has EC2 actions', () => {
    const others = roles(template).filter((role) => role.handler !== 'smoke');
    expect(others.filter((role) => JSON.stringify(role.policies).includes('"ec2:'))).toEqual([]);
  });
});

// Issue 27 item 3: the all-options native service bakes two hours, on the extended state machine.
describe('IAM simulation: an ECS native hook of a long evaluation', () => {
  const template = cases.find(([name]) => name === 'all-options variant')![1];
  const hook = roles(template).find((role) => role.handler === 'ecs-hook')!;
  const resolved = resolve(template, cases[1][2], hook.hookEnvironment);

  test('starts the extended machine, and is denied the standard one', async () => {
    expect(resolved.machines).toHaveLength(2);
    expect(resolved.stateMachineArn).toContain('EcsNativeExtended');
    expect(resolved.otherStateMachineArns).toHaveLength(1);
    expect(await decide(hook, 'states:StartExecution', resolved.stateMachineArn)).toBe('Allowed');
    expect(await decide(hook, 'states:StartExecution', resolved.otherStateMachineArns[0])).toBe('ImplicitlyDenied');
  });
});
