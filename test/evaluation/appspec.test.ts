import { AppSpecError, parseLambdaAppSpec } from '../../lib/evaluation';
import { APPSPEC_JSON, APPSPEC_YAML } from '../fixtures/codedeploy/events';

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
