import { writeFileSync } from 'node:fs';
import { it } from 'vitest';

// Stands for a scenario in the middle of a long wait: it records the process it runs in, then waits until the
// run is stopped from outside.
it('waits until the run is stopped', async () => {
  const pidFile = process.env.AUS_TEST_PID_FILE;
  if (pidFile) writeFileSync(pidFile, String(process.pid));
  await new Promise<void>(() => {});
});
