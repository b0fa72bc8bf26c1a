// Entry of the pod bundle (`node /probe/probe.mjs <subcommand> …`); also runnable with tsx. Nothing imports it.
import { main } from './cli.ts';

process.exitCode = await main(process.argv.slice(2));
