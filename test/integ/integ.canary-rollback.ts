import { App } from 'aws-cdk-lib';
import { rollbackIntegApp } from './rollback-app';

// Run by `npm run integ` (integ-runner); see README "Integration test on a real account".
const app = new App();
rollbackIntegApp(app);
app.synth();
