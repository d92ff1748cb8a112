/**
 * State names. They are part of the contract with the local simulation, which binds a handler to
 * each Task by name, as are the CLI's readers of execution histories: one definition here, below both the
 * construct that builds the state machine (`lib/constructs/evaluation-definition.ts`) and its readers.
 */
export const STATE = {
  prepare: 'Prepare',
  routePhase: 'Route by phase',
  preSmokeNeeded: 'Smoke tests before traffic?',
  preSmoke: 'Pre-traffic smoke tests',
  preSmokeResult: 'Pre-traffic smoke tests passed?',
  preTrafficPassed: 'Pre-traffic checks passed',
  startBake: 'Start bake',
  evaluate: 'Evaluate',
  decide: 'Decide',
  wait: 'Wait for next period',
  postSmokeNeeded: 'Smoke tests after bake?',
  postSmoke: 'Post-deploy smoke tests',
  postSmokeResult: 'Post-deploy smoke tests passed?',
  smokeFailed: 'Smoke tests failed',
  passed: 'Verdict passed',
  inconclusive: 'Verdict inconclusive',
  passedOrInconclusive: 'Passed or without a verdict?',
  failed: 'Verdict failed',
  overriddenPass: 'Overridden: pass',
  overriddenFail: 'Overridden: fail',
  malformed: 'Malformed step result',
  report: 'Report verdict',
  reportMade: 'Verdict reported?',
  publish: 'Publish verdict',
  publishError: 'Publish evaluator error',
  publishNeeded: 'Verdict to publish?',
  publishErrorNeeded: 'Evaluator error to publish?',
  watchNeeded: 'Watch the canary?',
  watch: 'Watch canary',
  watchDecide: 'Canary watch ended?',
  watchWait: 'Wait for next watch period',
  watchError: 'Canary watch error',
  reportError: 'Report evaluator error',
  done: 'Done',
  evaluatorFailed: 'Evaluator failed',
} as const;

/** The Task states, each bound to one Lambda (and, locally, to one handler). */
export const TASK_STATES = [STATE.prepare, STATE.preSmoke, STATE.evaluate, STATE.postSmoke, STATE.report, STATE.watch, STATE.reportError, STATE.publish, STATE.publishError] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** The Wait states (skipped locally: the simulation's clock moves instead). */
export const WAIT_STATES = [STATE.wait, STATE.watchWait] as const;
