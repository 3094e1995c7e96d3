#!/usr/bin/env node
import { endOutputQuietly, main } from "../dist/cli/index.js";

endOutputQuietly(process.stdout);
process.exitCode = await main(process.argv.slice(2));
