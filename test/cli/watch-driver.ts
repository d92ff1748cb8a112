/**
 * Runs `canary-eval status --watch` in a real terminal (the test starts it in tmux) against mocked AWS
 * (aws-sdk-client-mock in this process) on a fake clock: each sleep moves the clock one interval and
 * waits until the test has checked the screen and created `<dir>/go-<n>`.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { processIO } from '../../lib/cli/io';
import { statusCommand } from '../../lib/cli/status-command';
import { DEPLOYMENT_IDS, at, getDeployment } from '../fixtures/aws/deployments';
import { mockAws } from '../fixtures/aws/mock-aws';

const dir = process.argv[2];
const mocks = mockAws(['running']);
const running = getDeployment('running');
mocks.codedeploy
  .on(GetDeploymentCommand, { deploymentId: DEPLOYMENT_IDS.running })
  .resolvesOnce(running)
  .resolvesOnce(running)
  .resolves({ ...running, deploymentInfo: { ...running.deploymentInfo, status: 'Succeeded', completeTime: at(10) } });

let clock = at(8).getTime();
let sleeps = 0;
async function sleep(ms: number): Promise<void> {
  sleeps += 1;
  clock += ms;
  while (!existsSync(join(dir, `go-${sleeps}`))) await new Promise((resolve) => setTimeout(resolve, 50));
}

statusCommand([DEPLOYMENT_IDS.running, '--watch'], processIO, { clients: mocks.clients, now: () => new Date(clock), sleep }).then((code) => {
  writeFileSync(join(dir, 'exit'), String(code));
});
