// Applies waivers to findings before the gate: inline `tollgate:ignore` comments in the scanned
// source and settings waivers (rule + resource glob + repository + root), judged on an injected day. A
// waiver that cannot be trusted (no reason, expired, misdated, misspelt, naming no loaded rule) never
// applies and is reported, and so is a settings waiver whose resource matches none of its rule's findings
// (or, when the scan covered the whole repository, whose rule found nothing at all). A repository's
// pull request hears of the organization's file only what bears on its own findings
// (`WaiverInput.organizationFile`).
import {
  selectsRepository,
  waiverKeyOrigin,
  type RepositoryIdentity,
  type SettingsOrigin,
  type SettingsWaiver,
  type WaiverKey,
} from "../config/index.js";
import picomatch from "picomatch";
import type { SourceFile } from "../iac/source.js";
import { closestName } from "../model/spelling.js";
import type { Finding, LoadError } from "../model/types.js";
import { daysFromToday, describeDaysLeft, parseDay } from "./days.js";
import { findInlineWaivers, isCommentLine, resourceBlockLine } from "./inline.js";
import { closeRuleIds, didYouMean } from "./ruleIds.js";

/** A waiver expiring within this many days is flagged ahead. */
const EXPIRY_WARNING_DAYS = 14;

export interface WaiverInput {
  /** The scanned source (the head snapshot), for inline comments. */
  files: readonly SourceFile[];
  /** `settings.waivers`; those whose `repositories` globs miss `repository` are skipped. */
  settingsWaivers: readonly SettingsWaiver[];
  repository: RepositoryIdentity;
  now: Date;
  /** `settings.inlineWaivers`: when false, comments are reported and never applied. */
  inlineWaivers?: boolean;
  /**
   * The ids of the rules the scan evaluated (built-in and custom): a waiver naming another id, a
   * typo such as `TG-ENC-02`, matches nothing and is reported. Unchecked when absent.
   */
  knownRules?: ReadonlySet<string>;
  /**
   * The scan covered the whole repository, so a settings waiver whose rule found nothing is stale
   * and reported. The app scans only the folders a pull request changes: there it stays unset.
   */
  wholeRepository?: boolean;
  /**
   * The roots the scan loaded (`Resource.root`: Terraform root module folders, top CloudFormation
   * templates), judged with `wholeRepository`: a settings waiver's `roots` glob that matches none
   * of them is reported at the glob.
   */
  scannedRoots?: readonly string[];
  /**
   * The organization's settings file, named as in waiver origins, when its admins are told of its
   * problems elsewhere (the app's checks on the `.github` repository) and the scan is a repository's
   * pull request, whose authors cannot edit it. Its waivers are then reported here only where they
   * bear on this scan: one that would cover a finding but does not apply (reasonless, misdated,
   * expired), one expiring, one whose resource misses its rule's findings while its
   * `repositories` name this repository, and one naming no loaded rule when a rule close to its id
   * has a finding here it would cover. A waiver for every repository that matches nothing here, or
   * naming no loaded rule otherwise, is no problem of this repository.
   */
  organizationFile?: string;
}

export interface WaiverResult {
  /** The same findings, `waived` set on each one a valid waiver covers. */
  findings: Finding[];
  /** Located notes: waivers expired, expiring within 14 days, without a reason, misdated. */
  notices: LoadError[];
}

interface Candidate {
  rule: string;
  /** A `tollgate:ignore` comment in the IaC file, or an entry of a settings file's `waivers`. */
  written: "inline" | "settings";
  reason?: string;
  expires?: string;
  approver?: string;
  where: { file: string; line: number; column: number };
  /** A settings waiver's notice about one key points at that key (`NOTICE_KEY`). */
  whereKey?: (key: WaiverKey) => { file: string; line: number; column: number };
  unknownAttributes?: { name: string; column: number }[];
  /** A settings waiver's resource pattern, reported when it matches none of its rule's findings. */
  resource?: string;
  /** A settings waiver's `roots` globs, each with where it is written and its matcher. */
  roots?: { glob: string; origin: SettingsOrigin; matches: (root: string) => boolean }[];
  /** A settings waiver's `resource` alone, whatever the finding's root: what `roots` narrows. */
  coversAddress?: (finding: Finding) => boolean;
  /** A settings waiver whose `repositories` globs select the repository: it was written for it. */
  selectsByName?: boolean;
  /** A waiver of the organization's file, reported only where it bears on the scan. */
  quiet?: boolean;
  covers: (finding: Finding) => boolean;
}

/** The key of a settings waiver each notice is about, and so where it points. */
const NOTICE_KEY: Partial<Record<string, WaiverKey>> = {
  "waiver-unknown-rule": "rule",
  "waiver-organization-unknown-rule": "rule",
  "waiver-no-reason": "reason",
  "waiver-bad-date": "expires",
  "waiver-expired": "expires",
  "waiver-expiring": "expires",
  "waiver-matches-nothing": "resource",
  "waiver-roots-match-nothing": "roots",
};

type Validity =
  | { applies: true; daysLeft?: number }
  /** `column`: where on the waiver's line the problem is, when not where the waiver starts. */
  | { applies: false; code: string; message: string; column?: number };

/**
 * Inline waivers apply to a finding of their rule in their file when written on the finding's line,
 * alone on the line above it, or among the comment lines just above or just inside the finding's resource
 * block header; for a finding located where its value is written outside the attribute that reads
 * it, also on that attribute's line or alone above it (`Finding.readAt`). Settings waivers apply by rule and resource address (exact, or a pattern: `addressPattern`),
 * matched against the finding's resource and its subject (the group a standalone rule opens).
 * `expires` is the last day a waiver applies (UTC). The first valid waiver found wins, inline first.
 */
export function applyWaivers(findings: readonly Finding[], input: WaiverInput): WaiverResult {
  const inline = inlineCandidates(input.files);
  const inlineAllowed = input.inlineWaivers ?? true;
  const candidates = [
    ...(inlineAllowed ? inline : []),
    ...input.settingsWaivers
      .filter((waiver) =>
        selectsRepository({ repositories: waiver.repositories }, input.repository),
      )
      .map((waiver) => ({
        ...settingsCandidate(waiver),
        ...(waiver.origin.file === input.organizationFile ? { quiet: true } : {}),
      })),
  ];
  const validity = new Map(
    candidates.map((c) => [c, judge(c, input.now, input.knownRules)] as const),
  );
  const reported = new Set<Candidate>();
  const notices: LoadError[] = [];
  const report = (candidate: Candidate, code: string, message: string, column?: number): void => {
    if (reported.has(candidate)) return;
    reported.add(candidate);
    const key = NOTICE_KEY[code];
    const where = key && candidate.whereKey ? candidate.whereKey(key) : candidate.where;
    notices.push({ ...where, ...(column !== undefined ? { column } : {}), code, message });
  };
  if (!inlineAllowed)
    for (const candidate of inline)
      report(
        candidate,
        "waiver-locked",
        `waiver for ${candidate.rule || "(no rule)"} does not apply: the organization locks waivers, so only its settings grant them`,
      );
  for (const candidate of candidates) {
    const judged = validity.get(candidate);
    // Reasonless and misdated waivers are reported whether or not they match anything (a quiet one
    // where it would cover a finding).
    if (judged && !judged.applies && judged.code !== "waiver-expired" && !candidate.quiet)
      report(candidate, judged.code, judged.message, judged.column);
  }

  const waived = findings.map((finding) => {
    // A fixed finding's lines are the base's, not the scanned head's, and it never blocks.
    if (finding.waived !== null || finding.status === "fixed") return finding;
    let applied: Candidate | undefined;
    for (const candidate of candidates) {
      if (candidate.rule !== finding.rule || !candidate.covers(finding)) continue;
      const judged = validity.get(candidate);
      if (!judged?.applies) {
        if (judged && (judged.code === "waiver-expired" || candidate.quiet))
          report(candidate, judged.code, judged.message, judged.column);
        continue;
      }
      if (judged.daysLeft !== undefined)
        report(
          candidate,
          "waiver-expiring",
          `waiver for ${candidate.rule} expires on ${candidate.expires} (${judged.daysLeft === 0 ? "its last day is today" : describeDaysLeft(judged.daysLeft)}); renew it or fix the finding`,
        );
      applied ??= candidate;
    }
    if (!applied) return finding;
    const reason = applied.approver
      ? `${applied.reason} (approved by ${applied.approver})`
      : (applied.reason ?? "");
    return {
      ...finding,
      waived: {
        reason,
        written: applied.written,
        ...(applied.expires ? { expires: applied.expires } : {}),
      },
    };
  });
  // A misspelt address waives nothing while its rule still finds something: say so, as for a
  // misspelt rule id. A waiver whose rule found nothing is stale, but only a scan of the whole
  // repository can tell: the rule may find its resource in a folder a partial scan left out.
  // So is a `roots` glob naming no root of a scan that covered them all (a misspelt or moved
  // folder), at the glob, and roots that hold none of the findings the resource matches.
  const open = findings.filter((finding) => finding.status !== "fixed");
  const scannedRoots =
    input.wholeRepository && input.scannedRoots
      ? [...new Set(input.scannedRoots.map(rootName))].sort()
      : undefined;
  for (const candidate of candidates) {
    if (candidate.resource === undefined || !validity.get(candidate)?.applies) continue;
    if (candidate.quiet && !candidate.selectsByName) continue;
    const unmatchedRoots = scannedRoots
      ? (candidate.roots ?? []).filter(
          (root) => !scannedRoots.some((scanned) => root.matches(scanned)),
        )
      : [];
    const rootsMatchNone =
      unmatchedRoots.length > 0 && unmatchedRoots.length === candidate.roots?.length;
    for (const root of unmatchedRoots) {
      const meant = picomatch.scan(root.glob).isGlob
        ? undefined
        : closestName(root.glob, scannedRoots ?? []);
      notices.push({
        ...root.origin,
        code: "waiver-unmatched-root",
        message: `waiver for ${candidate.rule}: roots '${root.glob}' matches no Terraform root module or CloudFormation template in this repository${meant ? ` (did you mean ${meant}?)` : ""}, so ${rootsMatchNone ? "the waiver waives nothing" : "it adds no root to the waiver"}`,
      });
    }
    if (rootsMatchNone) continue;
    const ofRule = open.filter((finding) => finding.rule === candidate.rule);
    if (ofRule.some((finding) => candidate.covers(finding))) continue;
    if (ofRule.length === 0 && !input.wholeRepository) continue;
    const elsewhere = candidate.roots
      ? [
          ...new Set(
            ofRule
              .filter((finding) => candidate.coversAddress?.(finding))
              .map((finding) => rootName(finding.root)),
          ),
        ]
      : [];
    if (elsewhere.length > 0) {
      // A partial scan may have left out the roots it names, where its resource has findings.
      if (!scannedRoots) continue;
      report(
        candidate,
        "waiver-roots-match-nothing",
        `waiver for ${candidate.rule}: resource '${candidate.resource}' matches findings only outside its roots (in ${elsewhere.slice(0, 3).join(", ")}${elsewhere.length > 3 ? ", …" : ""}), so it waives nothing; check roots`,
      );
      continue;
    }
    const named = [...new Set(ofRule.map((finding) => finding.resource))];
    report(
      candidate,
      "waiver-matches-nothing",
      ofRule.length === 0
        ? `waiver for ${candidate.rule}: resource '${candidate.resource}' matches none of its findings (the rule found nothing in this repository), so it waives nothing; remove it if it is no longer needed`
        : `waiver for ${candidate.rule}: resource '${candidate.resource}' ${ofRule.length === 1 ? "does not match its one finding" : `matches none of its ${ofRule.length} findings`} (${named.slice(0, 3).join(", ")}${named.length > 3 ? ", …" : ""}), so it waives nothing; check the address`,
    );
  }
  // An organization waiver naming no loaded rule is its admins' to mend, but where a rule close to
  // its id has a finding here that the waiver would cover and nothing else waives, that finding is
  // likely what it meant to waive, and it holds this author with no hint: tell it, once.
  const unwaived = waived.filter(
    (finding) => finding.status !== "fixed" && finding.waived === null,
  );
  for (const candidate of candidates) {
    const judged = validity.get(candidate);
    if (!candidate.quiet || judged?.applies !== false || judged.code !== "waiver-unknown-rule")
      continue;
    const meant = closeRuleIds(candidate.rule, input.knownRules ?? []).filter((id) =>
      unwaived.some((finding) => finding.rule === id && candidate.covers(finding)),
    );
    if (meant.length > 0)
      report(
        candidate,
        "waiver-organization-unknown-rule",
        `the organization's waiver for ${candidate.rule} names no loaded rule (did you mean ${meant.join(", ")}, whose finding here it would cover?), so it waives nothing; the organization's admins are told on the .github repository's Tollgate policies check`,
      );
  }
  return { findings: waived, notices: notices.sort(byPlace) };
}

function judge(candidate: Candidate, now: Date, knownRules?: ReadonlySet<string>): Validity {
  const name = `waiver for ${candidate.rule || "(no rule)"}`;
  if (!candidate.rule)
    return {
      applies: false,
      code: "waiver-no-rule",
      message: `${name} names no rule; it does not apply`,
    };
  if (knownRules && !knownRules.has(candidate.rule))
    return {
      applies: false,
      code: "waiver-unknown-rule",
      message: `${name}: no loaded rule has that id, so it waives nothing; check the rule id${didYouMean(candidate.rule, knownRules)}`,
    };
  const unknown = candidate.unknownAttributes?.[0];
  if (unknown !== undefined)
    return {
      applies: false,
      code: "waiver-unknown-attribute",
      message: `${name}: unknown attribute '${unknown.name}' (expected reason, expires, approver); it does not apply`,
      column: unknown.column,
    };
  if (!candidate.reason?.trim())
    return {
      applies: false,
      code: "waiver-no-reason",
      // Said as the waiver is written: an attribute of the comment, a key of the settings file.
      message: `${name} has no reason; it does not apply until it says why (${candidate.whereKey ? 'reason: "..."' : 'reason="..."'})`,
    };
  if (candidate.expires === undefined) return { applies: true };
  const lastDay = parseDay(candidate.expires);
  if (lastDay === undefined)
    return {
      applies: false,
      code: "waiver-bad-date",
      message: `${name}: expires '${candidate.expires}' is not a YYYY-MM-DD day, so it counts as expired`,
    };
  // `expires` is the last day the waiver applies: it lapses when the next day starts.
  const daysLeft = daysFromToday(lastDay, now);
  if (daysLeft < 0)
    return {
      applies: false,
      code: "waiver-expired",
      message: `${name} expired on ${candidate.expires}; the finding is enforced again`,
    };
  return daysLeft < EXPIRY_WARNING_DAYS ? { applies: true, daysLeft } : { applies: true };
}

function inlineCandidates(files: readonly SourceFile[]): Candidate[] {
  const candidates: Candidate[] = [];
  for (const file of files) {
    const waivers = findInlineWaivers(file);
    if (waivers.length === 0) continue;
    const lines = file.text.split(/\r?\n/);
    const blockTops = new Map<string, Set<number>>();
    const blockTopAt = (header: number): Set<number> => commentLinesAround(file, lines, header);
    const blockTop = (resource: string): Set<number> => {
      let top = blockTops.get(resource);
      if (!top) {
        top = commentLinesAround(file, lines, resourceBlockLine(file, resource));
        blockTops.set(resource, top);
      }
      return top;
    };
    for (const waiver of waivers) {
      candidates.push({
        rule: waiver.rule,
        written: "inline",
        ...(waiver.reason !== undefined ? { reason: waiver.reason } : {}),
        ...(waiver.expires !== undefined ? { expires: waiver.expires } : {}),
        ...(waiver.approver !== undefined ? { approver: waiver.approver } : {}),
        where: { file: waiver.file, line: waiver.line, column: waiver.column },
        unknownAttributes: waiver.unknownAttributes,
        covers: (finding) =>
          (finding.file === file.path &&
            (waiver.line === finding.line ||
              (waiver.standalone && waiver.line === finding.line - 1) ||
              blockTop(finding.resource).has(waiver.line))) ||
          // A value written elsewhere (a variable default, a tfvars entry, a local) is still a
          // finding on this block, so the comment at its top covers it.
          (finding.resourceBlock?.file === file.path &&
            finding.resourceBlock.file !== finding.file &&
            blockTopAt(finding.resourceBlock.line).has(waiver.line)) ||
          // ...and the comment on (or alone above) the attribute that reads it, where the finding
          // was located before it moved to where its value is written.
          (finding.readAt?.file === file.path &&
            (waiver.line === finding.readAt.line ||
              (waiver.standalone && waiver.line === finding.readAt.line - 1))),
      });
    }
  }
  return candidates;
}

/** The comment lines directly above a block header and directly inside it. */
function commentLinesAround(
  file: SourceFile,
  lines: string[],
  header: number | undefined,
): Set<number> {
  const found = new Set<number>();
  if (header === undefined) return found;
  for (let line = header - 1; line >= 1 && isCommentLine(file, lines[line - 1] ?? ""); line--)
    found.add(line);
  for (
    let line = header + 1;
    line <= lines.length && isCommentLine(file, lines[line - 1] ?? "");
    line++
  )
    found.add(line);
  return found;
}

function settingsCandidate(waiver: SettingsWaiver): Candidate {
  const matches = addressPattern(waiver.resource);
  // A waiver naming a security group covers the rules added to it in rule resources, as it
  // covers its inline rules: the finding's subject is the group.
  const coversAddress = (finding: Finding): boolean =>
    [finding.resource, finding.subject].some(
      (address) => address !== undefined && (address === waiver.resource || matches(address)),
    );
  const roots = waiver.roots?.map((root) => ({
    ...root,
    matches: picomatch(root.glob, { dot: true }),
  }));
  return {
    rule: waiver.rule,
    written: "settings",
    resource: waiver.resource,
    ...(roots ? { roots } : {}),
    ...(waiver.repositories ? { selectsByName: true } : {}),
    ...(waiver.reason !== undefined ? { reason: waiver.reason } : {}),
    ...(waiver.expires !== undefined ? { expires: waiver.expires } : {}),
    ...(waiver.approver !== undefined ? { approver: waiver.approver } : {}),
    where: waiver.origin,
    whereKey: (key) => waiverKeyOrigin(waiver, key),
    coversAddress,
    covers: (finding) =>
      coversAddress(finding) &&
      (roots === undefined || roots.some((root) => root.matches(rootName(finding.root)))),
  };
}

/** A root as `roots` globs name it: `.` for the repository root. */
function rootName(root: string | undefined): string {
  return root || ".";
}

/**
 * A resource address pattern: `*` is any run of characters and `?` any one, `/`, `.`, quotes and
 * brackets included, and everything else is literal. Addresses are not paths: a `for_each` key may
 * hold `/` (`aws_security_group.bastion["prod/eu"]`), and `bastion[*]` is Terraform's spelling
 * for every instance, not a character class.
 */
function addressPattern(pattern: string): (address: string) => boolean {
  const source = [...pattern]
    .map((char) =>
      char === "*" ? ".*" : char === "?" ? "." : char.replace(/[\\^$.|+()[\]{}]/g, "\\$&"),
    )
    .join("");
  const regex = new RegExp(`^${source}$`, "s");
  return (address) => regex.test(address);
}

/** Notices in file, line and column order. */
export function byPlace(a: LoadError, b: LoadError): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column;
}
