import { ecsNativeFaultGrid, ecsNativeFaultDeployment, ecsNativeFaultOutcomeOf, ecsNativeFaultProblems } from './lib/simulate/ecs-native/fault-grid';
import { simulateEcsNativeDeployment } from './lib/simulate/ecs-native/deployment';
import { ecsNativeExecutionTimeoutSeconds } from './lib/evaluation/ecs-native/contract';
import { synthesizeEvaluationDefinition } from './lib/simulate/definition';
(async () => {
  const definition = synthesizeEvaluationDefinition();
  const hang = ecsNativeFaultGrid().find((c) => c.longBake && c.kind === 'hang')!;
  const result = await simulateEcsNativeDeployment(definition, { ...ecsNativeFaultDeployment(hang), hookTimeoutMinutes: 180, executionTimeoutSeconds: ecsNativeExecutionTimeoutSeconds(240) });
  const outcome = ecsNativeFaultOutcomeOf(hang.name, result, 180);
  console.log(ecsNativeFaultProblems(outcome));
  const t0 = Date.parse(result.executions[0].input.hookInvokedAt);
  for (const a of result.answers) console.log('answer', a.stage, a.weight, a.rollback, a.response.hookStatus, (a.at.getTime() - t0) / 60000);
  for (const e of result.verdictEvents) console.log('event', e.deploymentId, e.status, (e as any).cause, (e as any).reason?.slice(0, 100));
  for (const x of result.executions) console.log('exec', x.input.deploymentId, x.run.status);
})();
