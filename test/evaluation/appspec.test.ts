import { AppSpecError, parseAppSpec, parseEcsAppSpec, parseLambdaAppSpec } from '../../lib/evaluation';
import { APPSPEC_JSON, APPSPEC_YAML, ECS_APPSPEC_YAML } from '../fixtures/codedeploy/events';

describe('parseLambdaAppSpec', () => {
  test('reads the documented YAML AppSpec, versions as strings', () => {
    expect(parseLambdaAppSpec(APPSPEC_YAML)).toEqual({ type: 'lambda', functionName: 'orders', alias: 'live', currentVersion: '1', targetVersion: '2' });
  });

  test('reads the JSON form', () => {
    expect(parseLambdaAppSpec(APPSPEC_JSON)).toMatchObject({ currentVersion: '7', targetVersion: '8' });
  });

  test('fails naming the missing property', () => {
    const content = APPSPEC_YAML.replace('        TargetVersion: 2\n', '');
    expect(() => parseLambdaAppSpec(content)).toThrow(AppSpecError);
    expect(() => parseLambdaAppSpec(content)).toThrow('Resources[0].myLambdaFunction.Properties.TargetVersion');
  });

  test('fails on an ECS AppSpec and on text that is not YAML', () => {
    expect(() => parseLambdaAppSpec('Resources:\n  - web:\n      Type: AWS::ECS::Service\n')).toThrow('Type: expected "AWS::Lambda::Function"');
    expect(() => parseLambdaAppSpec('{ not: [yaml')).toThrow('not valid YAML or JSON');
  });
});

describe('parseAppSpec / parseEcsAppSpec', () => {
  test('reads the documented ECS AppSpec: the replacement task definition and the load balancer container', () => {
    const expected = { type: 'ecs', taskDefinition: 'arn:aws:ecs:us-east-1:111222333444:task-definition/web:7', containerName: 'web', containerPort: 80 };
    expect(parseAppSpec(ECS_APPSPEC_YAML)).toEqual(expected);
    expect(parseEcsAppSpec(ECS_APPSPEC_YAML)).toEqual(expected);
  });

  test('tells Lambda from ECS by the resource type', () => {
    expect(parseAppSpec(APPSPEC_YAML)).toMatchObject({ type: 'lambda', functionName: 'orders' });
    expect(parseAppSpec(APPSPEC_JSON)).toMatchObject({ type: 'lambda', targetVersion: '8' });
    expect(() => parseAppSpec('Resources:\n  - x:\n      Type: AWS::EC2::Instance\n')).toThrow('expected "AWS::Lambda::Function" or "AWS::ECS::Service", got "AWS::EC2::Instance"');
  });

  test('fails naming each missing ECS property', () => {
    const content = ECS_APPSPEC_YAML.replace('          ContainerPort: 80\n', '').replace(/ {8}TaskDefinition: .*\n/, '');
    expect(() => parseEcsAppSpec(content)).toThrow(AppSpecError);
    expect(() => parseEcsAppSpec(content)).toThrow(/TargetService\.Properties\.TaskDefinition: expected a task definition ARN[\s\S]*LoadBalancerInfo\.ContainerPort: expected a port number/);
    expect(() => parseEcsAppSpec(APPSPEC_YAML)).toThrow('Type: expected "AWS::ECS::Service"');
  });
});
