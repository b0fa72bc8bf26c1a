import type { InstallSupport } from '../clusters/types.ts';

/** The chart and helm the Sail install uses: `--operator-chart` first, then the provider's, else the repository. */
export function sailChartOverrides(
  install: InstallSupport | undefined,
  operatorChart: string | undefined,
): { chart?: string; helmBinary?: string } {
  const chart = operatorChart ?? install?.operatorChart;
  return {
    ...(chart !== undefined ? { chart } : {}),
    ...(install?.helmBinary !== undefined ? { helmBinary: install.helmBinary } : {}),
  };
}
