// The disk fetch stage: which repository files are IaC candidates, and the checks every fetched
// file passes (size, binary content, UTF-8, symlinks staying inside the repository) before a
// loader sees its text. Refusals are located `LoadError`s, never exceptions.
// Hand-written (1): the position of the first invalid UTF-8 byte. TextDecoder says whether
// bytes are valid, not where they stop being; we find it from the lossy decoding's U+FFFD.
// Synchronous: each fs.promises call is a round trip through libuv's thread pool, about six per
// file; the 548 files of corpus/real/terraform-aws-security-group took 345 ms that way, 16 at a
// time, and 80 ms with the same calls made synchronously (medians, same busy machine). Only the
// CLI reads from disk, and it has nothing else to do meanwhile.

import {
  closeSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  realpathSync,
  statSync,
} from "node:fs";
import { createHash } from "node:crypto";
import path from "node:path";
import type { LoadError } from "../model/types.js";
import { mayBeTemplate } from "./cloudformation/sniff.js";
import {
  directoryOf,
  isKnownNotTemplate,
  isTerraformFile,
  type FileListing,
  type SourceFile,
} from "./source.js";

export const DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024;
export const DEFAULT_MAX_FILES = 5000;
/** The beginning of an oversized file read to tell whether it may be IaC (`oversizedFile`). */
export const SNIFFED_BYTES = 64 * 1024;
/** Directory entries looked at before giving up, so a huge tree cannot keep the walk busy. */
const MAX_DIRECTORY_ENTRIES = 200_000;

/**
 * Folders a walk of the disk never enters: git's own, and tool output that copies what is written
 * elsewhere, whose findings would repeat the sources' (a scan is not git-aware, so .gitignore cannot
 * say so): installed packages, `terraform init`'s copies of called modules, and `sam build`'s copy
 * of the template beside it. `cdk.out/` is read: a CDK app's source is a program, and the templates
 * `cdk synth` writes there are the only CloudFormation it has.
 */
const SKIPPED_DIRECTORIES = new Set([".git", "node_modules", ".terraform", ".aws-sam"]);

/** A repository path inside a folder a walk of the disk never enters (`SKIPPED_DIRECTORIES`). */
export function inSkippedDirectory(filePath: string): boolean {
  return directoryOf(filePath)
    .split("/")
    .some((segment) => SKIPPED_DIRECTORIES.has(segment));
}
const CANDIDATE_SUFFIXES = [
  ".tf",
  ".tf.json",
  // OpenTofu's, read as Terraform's are; `.tofu.json` is a `.json`.
  ".tofu",
  ".tfvars",
  ".tfvars.json",
  ".yaml",
  ".yml",
  ".json",
  ".template",
  // Template files `templatefile()` renders (a role's policy, say): `.tftpl` is the ending
  // Terraform's documentation recommends, `.tpl` the one older configurations use. The loaders
  // read them only through that call.
  ".tftpl",
  ".tpl",
];

export interface ReadOptions {
  /** Repository-relative files or directories to read instead of the whole tree. */
  paths?: string[];
  /**
   * False when `paths` is a list that already says what to leave out (the files git would
   * commit): each is read even below a folder a walk skips, as a git ref's files are.
   */
  skipDirectories?: boolean;
  maxFileBytes?: number;
  maxFiles?: number;
}

export interface RepositoryFiles {
  files: SourceFile[];
  errors: LoadError[];
  /**
   * Every regular file the walk of the whole root saw, of any name (what `fileset()` lists);
   * undefined when `paths` were given or the walk stopped early.
   */
  listing?: FileListing;
}

/** Terraform's dependency lock file: which provider versions a root module runs. */
const LOCK_FILE = ".terraform.lock.hcl";

export function isIacCandidate(filePath: string): boolean {
  const name = filePath.toLowerCase();
  if (name === LOCK_FILE || name.endsWith(`/${LOCK_FILE}`)) return true;
  return CANDIDATE_SUFFIXES.some((suffix) => name.endsWith(suffix));
}

export function readRepositoryFiles(root: string, options: ReadOptions = {}): RepositoryFiles {
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const maxFiles = options.maxFiles ?? DEFAULT_MAX_FILES;
  const errors: LoadError[] = [];
  let rootReal: string;
  try {
    rootReal = realpathSync.native(root);
  } catch {
    return {
      files: [],
      errors: [
        refusal(root, "root-not-found", `repository root ${root} does not exist or cannot be read`),
      ],
    };
  }
  const walk = new RepositoryWalk(
    rootReal,
    maxFiles + 1,
    errors,
    options.skipDirectories === false ? new Set() : SKIPPED_DIRECTORIES,
  );
  for (const start of options.paths ?? [""]) walk.visit(start);

  const candidates = [...walk.candidates].sort();
  const overflow = candidates[maxFiles];
  if (overflow !== undefined) {
    errors.push(
      refusal(
        overflow,
        "too-many-files",
        `more than ${maxFiles} IaC files; ${overflow} and the files after it were not read: narrow the paths or raise maxFiles`,
      ),
    );
  }
  const selected = candidates.slice(0, maxFiles);
  const files: SourceFile[] = [];
  for (const relative of selected) {
    const result = readCandidate(rootReal, relative, maxFileBytes);
    if (result === null) continue;
    if ("code" in result) errors.push(result);
    else files.push(result);
  }
  if (options.paths !== undefined || walk.stopped) return { files, errors };
  return {
    files,
    errors,
    listing: { folders: [""], files: [...walk.listed].sort(), unlisted: [...walk.unlisted].sort() },
  };
}

/** Tab, line feed, carriage return and ESC: the control bytes a template's text may hold. */
const TEXT_CONTROLS = new Set([0x09, 0x0a, 0x0d, 0x1b]);

const NOT_TEXT = "not-text";

/** A JSON or YAML name Terraform does not read: holding a control byte, it is passed over. */
export function isPassedOverWhenNotText(filePath: string): boolean {
  const lowerName = filePath.toLowerCase();
  return !isTerraformFile(lowerName) && /\.(ya?ml|json|template)$/.test(lowerName);
}

/**
 * Size, binary and encoding checks for bytes fetched anywhere (disk, git, the GitHub API); null
 * for a file too large to read that no loader would read either (`oversizedFile`).
 */
export function checkSourceBytes(
  filePath: string,
  bytes: Uint8Array,
  maxFileBytes = DEFAULT_MAX_FILE_BYTES,
): SourceFile | LoadError | null {
  if (bytes.length <= maxFileBytes && utf16Encoding(bytes) === null) {
    // JSON (ECMA-404) and YAML 1.1, which CloudFormation reads, hold no C0 control character but tab,
    // line feed and carriage return, in whatever ASCII-compatible encoding the AWS CLI reads a file
    // with (the system's locale): a JSON or YAML name holding one is an encrypted (git-crypt) or binary
    // file, not a template. ESC is left out, as ISO-2022 encodings write it. Bytes that are only not
    // UTF-8 may be another locale's template, so they stay an error.
    if (isPassedOverWhenNotText(filePath)) {
      const control = bytes.findIndex((byte) => byte < 0x20 && !TEXT_CONTROLS.has(byte));
      if (control !== -1) {
        const { line, column } = bytePosition(bytes, control);
        return {
          file: filePath,
          line,
          column,
          code: NOT_TEXT,
          message: `holds control byte 0x${bytes[control]!.toString(16).padStart(2, "0")}, which no JSON or YAML text may hold, so it cannot be a CloudFormation template (an encrypted or binary file); passed over`,
          level: "warning",
          inputs: gitBlobId(bytes),
        };
      }
    }
  }
  return checkBytes(filePath, bytes, maxFileBytes);
}

/** Git's id of a blob of these bytes (`git hash-object`), as a commit's tree names it. */
function gitBlobId(bytes: Uint8Array): string {
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

/**
 * In a diff, the `not-text` warning of a file whose bytes the base holds under no name
 * (`atBase`, by git blob id) is an error: the pull request added or changed what Tollgate cannot
 * read, and a security gate does not take a template it cannot read on its word. An encrypted
 * file the change leaves alone (or only moves) keeps the warning. So is the warning of a data file
 * a module reads that was not read (too large, binary, not UTF-8; `unreadDataFile`): a change
 * must not decide what a module deploys where Tollgate cannot see it (an allowlist padded past
 * the size limit).
 */
export function notTextOfChange(
  problem: LoadError,
  atBase: (blobId: string) => boolean,
): LoadError {
  if (problem.inputs === undefined || atBase(problem.inputs)) return problem;
  let message: string;
  if (problem.code === NOT_TEXT)
    message = problem.message.replace(
      /; passed over$/,
      ", and this change adds or changes it: what it deploys goes unjudged; if it is an encrypted file, override this check",
    );
  else if (problem.level === "warning" && problem.message.endsWith(UNREAD_DATA))
    message = `${problem.message.slice(0, -UNREAD_DATA.length)}${UNREAD_DATA_OF_CHANGE}`;
  else return problem;
  const error: LoadError = { ...problem, message };
  delete error.level;
  return error;
}

/** What `checkSourceBytes` and `checkDataFileBytes` both refuse: too large, UTF-16, binary, not UTF-8. */
function checkBytes(
  filePath: string,
  bytes: Uint8Array,
  maxFileBytes: number,
): SourceFile | LoadError | null {
  if (bytes.length > maxFileBytes) {
    return oversizedFile(filePath, bytes.length, bytes.subarray(0, SNIFFED_BYTES), maxFileBytes);
  }
  const utf16 = utf16Encoding(bytes);
  if (utf16 !== null) {
    return refusal(
      filePath,
      "utf16-file",
      `is ${utf16} text; Terraform and CloudFormation read UTF-8: save the file as UTF-8`,
    );
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    const { line, column } = bytePosition(bytes, nul);
    return {
      file: filePath,
      line,
      column,
      code: "binary-file",
      message: "contains a NUL byte: binary files are not IaC sources",
    };
  }
  try {
    return { path: filePath, text: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
  } catch {
    const { line, column } = firstInvalidUtf8(bytes);
    return {
      file: filePath,
      line,
      column,
      code: "invalid-utf8",
      message: "is not valid UTF-8 here; save the file as UTF-8",
    };
  }
}

/**
 * How much one snapshot reads as data files (`readDataFile`) in all, beyond each file's own limit: a
 * `file()` whose path the text does not tell may read any listed file (`dataFileTargets`), in a
 * large repository thousands. 500 files hold a rules or policies folder of a few hundred CSV or
 * JSON documents; 32 MiB is 16 files at the 2 MiB limit of one, so a diff (two snapshots) holds at
 * most 64 MiB of data text. Literal paths come first, so they are read before computed ones.
 */
const DATA_FILE_BUDGET = { maxFiles: 500, maxBytes: 32 * 1024 * 1024 };

/**
 * What one snapshot has read as data files, against `DATA_FILE_BUDGET`: once a file would go over
 * it, that file and every later one are left unread, and one warning names them.
 */
export class DataFileBudget {
  private files = 0;
  private bytes = 0;
  private readonly left: string[] = [];
  constructor(private readonly limits = DATA_FILE_BUDGET) {}

  /** Whether the data file `path` of `size` bytes is read; if not, it is counted as left unread. */
  admit(path: string, size: number): boolean {
    const { maxFiles, maxBytes } = this.limits;
    if (this.left.length === 0 && this.files < maxFiles && this.bytes + size <= maxBytes) {
      this.files += 1;
      this.bytes += size;
      return true;
    }
    this.left.push(path);
    return false;
  }

  /** The one warning for the files left unread, located at the first; none when all were read. */
  warning(): LoadError | undefined {
    const [first] = this.left;
    if (first === undefined) return undefined;
    const { maxFiles, maxBytes } = this.limits;
    const more = this.left.length > 5 ? `, and ${this.left.length - 5} more` : "";
    return {
      ...refusal(
        first,
        "data-file-budget",
        `${this.left.length} data files (${this.left.slice(0, 5).join(", ")}${more}) are over the budget of ${maxFiles} files or ${maxBytes} bytes a scan reads as data; they were not read, so what a module reads from them with file() is unknown`,
      ),
      level: "warning",
    };
  }
}

/**
 * A file a Terraform file reads with `file()` or `templatefile()` and a literal path, whose name is
 * no IaC candidate (`csvdecode(file("users.csv"))`, `split("\n", file("cidrs.txt"))`): a fetch reads
 * it for that call alone, after the walk, so it never counts against `maxFiles`. What cannot be read
 * (too large, binary, not UTF-8, a link out of the repository) is a located warning, never a
 * refusal: the value read from it stays unknown, as for any file Tollgate did not read, and a large
 * spreadsheet export does not fail the gate. Null when no such regular file exists: the loader then
 * leaves the value unknown; null too when it is over `budget`, which then tells.
 */
export function readDataFile(
  root: string,
  relative: string,
  maxFileBytes = DEFAULT_MAX_FILE_BYTES,
  budget?: DataFileBudget,
): SourceFile | LoadError | null {
  const absolute = path.join(root, relative);
  if (attempt(() => lstatSync(absolute))?.isSymbolicLink()) {
    const resolved = attempt(() => realpathSync.native(absolute));
    const rootReal = attempt(() => realpathSync.native(root));
    if (resolved === undefined || rootReal === undefined) return null;
    if (!resolved.startsWith(rootReal + path.sep))
      return unreadDataFile(
        relative,
        "symlink-escape",
        `is a symbolic link to ${resolved}, outside the repository`,
      );
  }
  const info = attempt(() => statSync(absolute));
  if (!info?.isFile()) return null;
  if (info.size > maxFileBytes)
    return dataFileTooLarge(relative, info.size, maxFileBytes, fileBlobId(absolute, info.size));
  if (budget && !budget.admit(relative, info.size)) return null;
  const bytes = attempt(() => readFileSync(absolute));
  if (bytes === undefined) return unreadDataFile(relative, "file-unreadable", "cannot be read");
  return checkDataFileBytes(relative, bytes, maxFileBytes);
}

/** `checkSourceBytes` for a file read as `readDataFile` reads one: what fails is a warning. */
export function checkDataFileBytes(
  filePath: string,
  bytes: Uint8Array,
  maxFileBytes = DEFAULT_MAX_FILE_BYTES,
): SourceFile | LoadError {
  const checked = bytes.length > maxFileBytes ? null : checkBytes(filePath, bytes, maxFileBytes);
  const blobId = gitBlobId(bytes);
  if (checked === null) return dataFileTooLarge(filePath, bytes.length, maxFileBytes, blobId);
  if ("text" in checked) return checked;
  const { line, column } = checked;
  return { ...unreadDataFile(filePath, checked.code, checked.message, blobId), line, column };
}

/**
 * The warning for a file `readDataFile` would read that is over the size limit (never read);
 * `blobId`, its git blob id, lets a diff tell whether the change added or changed it (`notTextOfChange`).
 */
export function dataFileTooLarge(
  filePath: string,
  size: number,
  maxFileBytes: number,
  blobId?: string,
): LoadError {
  return unreadDataFile(
    filePath,
    "file-too-large",
    `${size} bytes, over Tollgate's fixed limit of ${maxFileBytes} bytes for one file`,
    blobId,
  );
}

const UNREAD_DATA = "; it was not read, so what a module reads from it with file() is unknown";
const UNREAD_DATA_OF_CHANGE =
  "; it was not read, and this change adds or changes it: what a module reads from it with file() goes unjudged";

/**
 * A warning for a data file (`readDataFile`) that was not read: `problem` says why; `blobId`, the
 * git blob id of its bytes when known (`notTextOfChange`).
 */
export function unreadDataFile(
  file: string,
  code: string,
  problem: string,
  blobId?: string,
): LoadError {
  return {
    ...refusal(file, code, `${problem}${UNREAD_DATA}`),
    level: "warning",
    ...(blobId === undefined ? {} : { inputs: blobId }),
  };
}

/**
 * The warning for an IaC candidate a module reads with `file()` (`cidrs.yaml`) that the walk
 * passed over as too large and no template (`oversizedFile`): what the module reads from it is
 * unknown, and said so (`dataFileTooLarge`). Null when `relative` is no regular file over the limit.
 */
export function oversizedDataFile(
  root: string,
  relative: string,
  maxFileBytes = DEFAULT_MAX_FILE_BYTES,
): LoadError | null {
  const absolute = path.join(root, relative);
  const info = attempt(() => statSync(absolute));
  if (!info?.isFile() || info.size <= maxFileBytes) return null;
  return dataFileTooLarge(relative, info.size, maxFileBytes, fileBlobId(absolute, info.size));
}

/** `gitBlobId` of a file on disk, read in chunks; undefined when it cannot be read. */
function fileBlobId(absolute: string, size: number): string | undefined {
  return attempt(() => {
    const hash = createHash("sha1").update(`blob ${size}\0`);
    const fd = openSync(absolute, "r");
    try {
      const buffer = Buffer.alloc(1024 * 1024);
      let read: number;
      while ((read = readSync(fd, buffer, 0, buffer.length, null)) > 0)
        hash.update(buffer.subarray(0, read));
    } finally {
      closeSync(fd);
    }
    return hash.digest("hex");
  });
}

/**
 * A file over the size limit, from its name and its first bytes (`head`, SNIFFED_BYTES of them):
 * refused, so the gate fails closed, when it is Terraform's or may be a CloudFormation template;
 * null when it cannot be IaC (a lock file, a CDK construct tree, any document whose first key is
 * no template section), which loaders pass over like every other file that is not IaC. A large
 * package-lock.json is common in a SAM or CDK app, and refusing it failed every pull request.
 */
export function oversizedFile(
  filePath: string,
  size: number,
  head: Uint8Array,
  maxFileBytes = DEFAULT_MAX_FILE_BYTES,
): LoadError | null {
  const over = `${size} bytes, over Tollgate's fixed limit of ${maxFileBytes} bytes for one file`;
  const name = filePath.toLowerCase();
  if (isTerraformFile(name) || !/\.(ya?ml|json|template)$/.test(name)) {
    return refusal(filePath, "file-too-large", `${over}: split it into smaller files`);
  }
  if (isKnownNotTemplate(filePath)) return null;
  if (!mayBeTemplate(new TextDecoder("utf-8").decode(head))) return null;
  return refusal(
    filePath,
    "file-too-large",
    `${over}, and CloudFormation itself accepts no template over 1 MB: split it into nested stacks`,
  );
}

/**
 * UTF-16 text, which Windows tools write (PowerShell 5's `>` and Out-File, Notepad's "Unicode"):
 * a byte order mark, or a first two characters that are ASCII with a zero byte beside each. It
 * holds NUL bytes, and being told it is binary left its author puzzled.
 */
function utf16Encoding(bytes: Uint8Array): "UTF-16LE" | "UTF-16BE" | null {
  const [a, b, c, d] = bytes;
  if (a === 0xff && b === 0xfe) return "UTF-16LE";
  if (a === 0xfe && b === 0xff) return "UTF-16BE";
  if (a === undefined || b === undefined || c === undefined || d === undefined) return null;
  const ascii = (byte: number): boolean => byte >= 0x09 && byte < 0x7f;
  if (ascii(a) && b === 0 && ascii(c) && d === 0) return "UTF-16LE";
  if (a === 0 && ascii(b) && c === 0 && ascii(d)) return "UTF-16BE";
  return null;
}

class RepositoryWalk {
  readonly candidates = new Set<string>();
  /** Every regular file seen, candidate or not, and what was not looked into (`FileListing`). */
  readonly listed = new Set<string>();
  readonly unlisted = new Set<string>();
  /** The walk ended before every folder was read (a limit). */
  stopped = false;
  private readonly visitedDirectories = new Set<string>();
  private entriesLeft = MAX_DIRECTORY_ENTRIES;

  constructor(
    private readonly rootReal: string,
    private readonly candidateLimit: number,
    private readonly errors: LoadError[],
    private readonly skipped: ReadonlySet<string>,
  ) {}

  /** Walks one repository-relative start path (file or directory), depth first in name order. */
  visit(start: string): void {
    const relative = toRepositoryPath(path.normalize(start));
    if (relative === ".." || relative.startsWith("../") || path.isAbsolute(relative)) {
      this.errors.push(refusal(start, "path-outside-root", `${start} is outside the repository`));
      return;
    }
    if (relative.split("/").some((segment) => this.skipped.has(segment))) return;
    const pending = [relative === "." ? "" : relative];
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      if (this.candidates.size >= this.candidateLimit || this.entriesLeft < 0) {
        this.stopped = true;
        return;
      }
      const kind = this.classify(next);
      if (kind === "file" && isIacCandidate(next)) this.candidates.add(next);
      if (kind !== "directory") continue;
      const entries = attempt(() =>
        readdirSync(path.join(this.rootReal, next), { withFileTypes: true }),
      );
      if (entries === undefined) this.unlisted.add(next);
      if (entries === undefined) continue;
      this.entriesLeft -= entries.length;
      if (this.entriesLeft < 0) {
        this.errors.push(
          refusal(
            next || ".",
            "too-many-entries",
            `more than ${MAX_DIRECTORY_ENTRIES} directory entries; pass the IaC directories as paths`,
          ),
        );
        this.stopped = true;
        return;
      }
      for (const entry of entries) {
        const child = next === "" ? entry.name : `${next}/${entry.name}`;
        if (entry.isFile()) this.listed.add(child);
        else if (entry.isSymbolicLink() || (entry.isDirectory() && this.skipped.has(entry.name)))
          this.unlisted.add(child);
      }
      // Only what may hold or be a candidate is looked at again (one lstat each).
      const children = entries
        .filter((entry) =>
          entry.isDirectory()
            ? !this.skipped.has(entry.name)
            : entry.isSymbolicLink() || (entry.isFile() && isIacCandidate(entry.name)),
        )
        .map((entry) => entry.name)
        .sort()
        .reverse();
      for (const name of children) pending.push(next === "" ? name : `${next}/${name}`);
    }
  }

  /** What a path is once symlinks are followed; links leaving the repository are refused. */
  private classify(relative: string): "file" | "directory" | "other" {
    const absolute = path.join(this.rootReal, relative);
    const link = attempt(() => lstatSync(absolute));
    if (link === undefined) {
      this.errors.push(
        refusal(relative || ".", "file-not-found", `${relative} does not exist in the repository`),
      );
      return "other";
    }
    let target = absolute;
    if (link.isSymbolicLink()) {
      const resolved = attempt(() => realpathSync.native(absolute));
      if (resolved === undefined) return "other";
      if (resolved !== this.rootReal && !resolved.startsWith(this.rootReal + path.sep)) {
        // Said only where IaC could have been read: a linked folder or a candidate file name.
        const targetIsDirectory = attempt(() => statSync(resolved))?.isDirectory() ?? false;
        if (!targetIsDirectory && !isIacCandidate(relative)) return "other";
        this.errors.push(
          refusal(
            relative,
            "symlink-escape",
            `is a symbolic link to ${resolved}, outside the repository; it was not read`,
          ),
        );
        return "other";
      }
      target = resolved;
    }
    const info = link.isSymbolicLink() ? attempt(() => statSync(target)) : link;
    if (info?.isFile()) return "file";
    if (!info?.isDirectory()) return "other";
    const real = attempt(() => realpathSync.native(target)) ?? target;
    if (this.visitedDirectories.has(real)) return "other";
    this.visitedDirectories.add(real);
    return "directory";
  }
}

function readCandidate(
  rootReal: string,
  relative: string,
  maxFileBytes: number,
): SourceFile | LoadError | null {
  const absolute = path.join(rootReal, relative);
  try {
    const { size } = statSync(absolute);
    if (size > maxFileBytes) {
      return oversizedFile(relative, size, readHead(absolute, SNIFFED_BYTES), maxFileBytes);
    }
    return checkSourceBytes(relative, readFileSync(absolute), maxFileBytes);
  } catch (error) {
    return refusal(
      relative,
      "file-unreadable",
      `cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
}

/** The first `length` bytes of a file (fewer when it is shorter). */
function readHead(absolute: string, length: number): Uint8Array {
  const descriptor = openSync(absolute, "r");
  try {
    const head = new Uint8Array(length);
    return head.subarray(0, readSync(descriptor, head, 0, length, 0));
  } finally {
    closeSync(descriptor);
  }
}

/** A file system call's result, or undefined when it fails (a missing or unreadable path). */
function attempt<T>(call: () => T): T | undefined {
  try {
    return call();
  } catch {
    return undefined;
  }
}

function refusal(file: string, code: string, message: string): LoadError {
  return { file, line: 1, column: 1, code, message };
}

function toRepositoryPath(filePath: string): string {
  return filePath.split(path.sep).join("/").replace(/\/+$/, "");
}

function bytePosition(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let index = 0; index < offset; index++) {
    if (bytes[index] === 0x0a) {
      line++;
      lineStart = index + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * The lossy decoding replaces each invalid sequence by one U+FFFD and keeps everything valid
 * before it, so the first U+FFFD not written as the bytes EF BF BD marks the first bad byte.
 */
function firstInvalidUtf8(bytes: Uint8Array): { line: number; column: number } {
  // ignoreBOM keeps a leading BOM as a character, so character and byte offsets stay aligned.
  const lossy = new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
  let byteOffset = 0;
  let charOffset = 0;
  for (
    let found = lossy.indexOf("\uFFFD");
    found !== -1;
    found = lossy.indexOf("\uFFFD", found + 1)
  ) {
    byteOffset += Buffer.byteLength(lossy.slice(charOffset, found));
    charOffset = found;
    const written =
      bytes[byteOffset] === 0xef &&
      bytes[byteOffset + 1] === 0xbf &&
      bytes[byteOffset + 2] === 0xbd;
    if (!written) break;
    byteOffset += 3;
    charOffset = found + 1;
  }
  const before = lossy.slice(0, charOffset);
  const lineStart = before.lastIndexOf("\n") + 1;
  return { line: before.split("\n").length, column: charOffset - lineStart + 1 };
}
