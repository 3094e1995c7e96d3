// Terraform loader speed on the real corpus (terragoat, terraform-aws-*): parse + evaluate of
// every module instance, median of several runs after warm-up. Run: npx tsx bench/terraform.ts
import path from "node:path";
import { loadTerraform } from "../src/iac/terraform/index.js";
import { corpusDir, readSources } from "../test/support/corpus.js";

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

const RUNS = 7;
const all = readSources(path.join(corpusDir, "real")).filter(
  (file) => !file.path.startsWith("cfngoat/"),
);
const projects = [
  ...new Set(
    all.filter((file) => file.path.includes("/")).map((file) => file.path.split("/")[0] as string),
  ),
];
console.log(
  "project                          .tf files      KB  resources  locations  errors  median ms   MB/s",
);
for (const project of [...projects, "all"]) {
  const files = project === "all" ? all : all.filter((file) => file.path.startsWith(`${project}/`));
  const tf = files.filter((file) => file.path.endsWith(".tf"));
  const bytes = tf.reduce((total, file) => total + Buffer.byteLength(file.text), 0);
  loadTerraform(files);
  const times: number[] = [];
  let model = loadTerraform(files);
  for (let run = 0; run < RUNS; run++) {
    const start = performance.now();
    model = loadTerraform(files);
    times.push(performance.now() - start);
  }
  const ms = median(times);
  const locations = model.resources.reduce(
    (total, resource) => total + Object.keys(resource.locations).length,
    0,
  );
  console.log(
    [
      project.padEnd(32),
      String(tf.length).padStart(9),
      (bytes / 1024).toFixed(0).padStart(7),
      String(model.resources.length).padStart(10),
      String(locations).padStart(10),
      String(model.errors.length).padStart(7),
      ms.toFixed(1).padStart(10),
      (bytes / 1e6 / (ms / 1000)).toFixed(2).padStart(6),
    ].join(" "),
  );
}
