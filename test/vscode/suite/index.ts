import { editingSteps } from './editing';
import { runSteps } from './harness';
import { routeSteps } from './routes';

// The integration suite VS Code loads as extensionTestsPath (bundled by extension/build.mjs
// --tests into extension/dist/test/suite.js). Its run() executes in the real extension host;
// rejecting fails the run, and the workbench reports the result to the driver.

export async function run(): Promise<void> {
  await runSteps([...editingSteps, ...routeSteps]);
}
