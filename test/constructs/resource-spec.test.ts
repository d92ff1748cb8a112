import { Template } from 'aws-cdk-lib/assertions';
import { DemoStack } from '../../lib/demo/demo-stack';
import { allOptionsStack, ENV, noBundlingApp } from './support/all-options-stack';
import { checkTemplate } from './support/resource-spec';

/**
 * Every resource type, property (nested ones too) and `Fn::GetAtt` attribute of the demo app and the
 * all-options variant, checked against the CloudFormation resource specification
 * (npm `@aws-cdk/aws-service-spec`): what CloudFormation would reject at deploy time fails here.
 */
type TemplateJson = Parameters<typeof checkTemplate>[0];
const templates: Array<[string, TemplateJson]> = [
  ['demo app', Template.fromStack(new DemoStack(noBundlingApp(), 'Demo', { env: ENV })).toJSON() as TemplateJson],
  ['all-options variant', Template.fromStack(allOptionsStack().stack).toJSON() as TemplateJson],
];
const resourcesOf = (template: TemplateJson) => Object.values(template.Resources);

describe('templates against the CloudFormation resource specification', () => {
  test.each(templates)('%s: every resource type, property and attribute exists', (_name, template) => {
    expect(resourcesOf(template).length).toBeGreaterThan(40);
    expect(checkTemplate(template).map((f) => `${f.where}: ${f.problem}: ${f.detail}`)).toEqual([]);
  });

  describe('negative controls: the check fails on what CloudFormation rejects', () => {
    const [, demo] = templates[0];
    const withResource = (id: string, edit: (resource: TemplateJson['Resources'][string]) => TemplateJson['Resources'][string]): TemplateJson => ({
      ...demo,
      Resources: { ...demo.Resources, [id]: edit(demo.Resources[id]) },
    });
    const functionId = Object.keys(demo.Resources).find((id) => demo.Resources[id].Type === 'AWS::Lambda::Function' && demo.Resources[id].Properties?.TracingConfig)!;

    test('a misspelt top-level property', () => {
      const { Timeout, ...rest } = demo.Resources[functionId].Properties!;
      const template = withResource(functionId, (r) => ({ ...r, Properties: { ...rest, TimeOut: Timeout } }));
      expect(checkTemplate(template)).toEqual([expect.objectContaining({ where: `${functionId} (AWS::Lambda::Function).Properties`, problem: 'unknown property', detail: expect.stringMatching(/^TimeOut \(known: .*Timeout/) })]);
    });

    test('a misspelt nested property', () => {
      const template = withResource(functionId, (r) => ({ ...r, Properties: { ...r.Properties, TracingConfig: { mode: 'Active' } } }));
      expect(checkTemplate(template)).toEqual([expect.objectContaining({ where: `${functionId} (AWS::Lambda::Function).Properties.TracingConfig`, problem: 'unknown property' })]);
    });

    test('a misspelt property in a list element, two levels down', () => {
      // The reaper rule (the sweep is a Scheduler schedule): its target has a RetryPolicy.
      const ruleId = Object.keys(demo.Resources).find((id) => demo.Resources[id].Type === 'AWS::Events::Rule' && demo.Resources[id].Properties?.EventPattern)!;
      const template = withResource(ruleId, (r) => {
        const [target] = r.Properties!.Targets as Array<Record<string, unknown>>;
        return { ...r, Properties: { ...r.Properties, Targets: [{ ...target, RetryPolicy: { MaximumRetryAttempt: 2 } }] } };
      });
      expect(checkTemplate(template)).toEqual([expect.objectContaining({ where: `${ruleId} (AWS::Events::Rule).Properties.Targets[0].RetryPolicy`, problem: 'unknown property', detail: expect.stringMatching(/^MaximumRetryAttempt /) })]);
    });

    test('an unknown resource type', () => {
      const template = withResource(functionId, (r) => ({ ...r, Type: 'AWS::Lambda::Functions' }));
      expect(checkTemplate(template)).toEqual([expect.objectContaining({ where: functionId, problem: 'unknown resource type', detail: 'AWS::Lambda::Functions' })]);
    });

    test('an attribute the resource does not have', () => {
      const template = { ...demo, Outputs: { Broken: { Value: { 'Fn::GetAtt': [functionId, 'Url'] } } } };
      expect(checkTemplate(template)).toEqual([expect.objectContaining({ where: 'Outputs.Broken.Value', problem: 'unknown attribute', detail: expect.stringContaining(`${functionId} (AWS::Lambda::Function) has no attribute Url`) })]);
    });
  });
});
