import { trafficMain } from '../../helpers/probes/traffic-cli.ts';

// `npx tsx test/support/traffic-entry.ts --url … --out …`: the traffic probe as its own process, so a test can
// send it a real SIGTERM. npx and tsx sit between the test and this process, so it names its own pid first.
process.stderr.write(`traffic-entry pid ${process.pid}\n`);
process.exitCode = await trafficMain(process.argv.slice(2));
