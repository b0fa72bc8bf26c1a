import { UserError } from '../helpers/errors.ts';
import type { LaunchSuites } from '../suites/launch-contract.ts';

// The contract itself lives in the suites layer (suites/launch-contract.ts); the CLI only loads and calls it.
export type { LaunchOptions, LaunchResult, LaunchSuites } from '../suites/launch-contract.ts';

// A variable path keeps typecheck independent of whether suites/launch.ts exists yet.
const LAUNCH_MODULE = '../suites/launch.ts';

/** Loads `launchSuites` from the suites layer at run time. */
export async function loadLaunchSuites(): Promise<LaunchSuites> {
  let mod: { launchSuites?: unknown };
  try {
    mod = (await import(LAUNCH_MODULE)) as { launchSuites?: unknown };
  } catch (error) {
    throw new UserError(
      'the scenario suites (suites/launch.ts) are not available in this checkout — update it, or run `npm ci`',
      {
        cause: error,
      },
    );
  }
  if (typeof mod.launchSuites !== 'function') {
    throw new UserError('suites/launch.ts does not export launchSuites — update the checkout');
  }
  return mod.launchSuites as LaunchSuites;
}
