import { describe, expect, it } from "vitest";
import { mayBeTemplate } from "./sniff.js";

describe("mayBeTemplate", () => {
  it("is false for a document whose first key is no template section, or that is no mapping", () => {
    for (const head of [
      '{\n  "name": "app",\n  "lockfileVersion": 3,',
      '{"version":"tree-0.1","tree":{"id":"App"',
      "\uFEFF# settings\nname: app\nResources: {}\n",
      "---\nservices:\n  web: {}\n",
      "[1, 2",
      "- a\n- b\n",
      "{}",
      "'version': 1\n",
    ])
      expect(mayBeTemplate(head), head).toBe(false);
  });

  it("is true for a first section name, and when the beginning does not say", () => {
    for (const head of [
      '{\n  "AWSTemplateFormatVersion": "2010-09-09",',
      '{"Resources": {"B": {"Type": "AWS::S3::Bucket"',
      "%YAML 1.1\n---\n# stack\nTransform: AWS::Serverless-2016-10-31\n",
      "{Resources: {B: {Type: AWS::S3::Bucket}}}",
      '"Parameters":\n  Env:\n',
      "Description: >\n  text\n",
      '{"\\u0052esources": {}}',
      "&anchor name: x\n",
      "? complex\n",
      "# only a comment, the first key is further on",
      "",
    ])
      expect(mayBeTemplate(head), head).toBe(true);
  });
});
