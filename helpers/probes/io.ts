/**
 * Where a probe writes. Subcommands take it as a parameter so tests can capture output without a subprocess;
 * the pod bundle uses `processIo`.
 */
export interface ProbeIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export const processIo: ProbeIo = {
  stdout: (text) => {
    process.stdout.write(text);
  },
  stderr: (text) => {
    process.stderr.write(text);
  },
};
