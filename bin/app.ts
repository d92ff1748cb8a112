#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { DemoStack } from '../lib/demo/demo-stack';

const app = new App();
new DemoStack(app, 'CanaryEvaluatorDemo', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION ?? process.env.AWS_REGION },
});
app.synth();
