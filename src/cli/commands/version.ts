// `tollgate version` (or `--version`, `-V`): the release this CLI is, as package.json names it.
import { packageVersion } from "../../version.js";
import { EXIT_OK } from "../command.js";
import { defineCommand } from "../options.js";

export const versionCommand = defineCommand({
  name: "version",
  summary: "print Tollgate's version (also --version, -V)",
  usage: ["tollgate version"],
  options: {},
  allowPositionals: false,
  async run(_parsed, io) {
    io.stdout(`${packageVersion()}\n`);
    return EXIT_OK;
  },
});
