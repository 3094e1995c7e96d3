// Custom policies for the app: lists a folder on a default branch, compiles it once per content
// hash (a bounded in-memory cache: 32 versions, about 1 MB of Wasm each at most for a 500-rule
// folder, backed by a `CompiledStore` when one is given, so a restart or another replica reads
// what was compiled instead of compiling again) and keeps the last version that compiled per
// folder (in memory, and in the store when it changes), which stays in force while a newer one
// does not compile, across restarts and replicas too. Gives the PR flow its extra rule sets and
// the push flow its compile result. The compiler's warnings are logged once per compile.
import type { Settings } from "../config/index.js";
import type { CustomRuleSet } from "../engine/types.js";
import type { GitHubApi, RepoRef } from "../github/client.js";
import type { LoadError } from "../model/types.js";
import { boundedRuleSet, defaultCustomRuleBounds, type CustomRuleBounds } from "./bounded.js";
import { builtinLibrary, type PolicyLibrary } from "../policy/library.js";
import {
  compilePolicies,
  policiesKey,
  type CompiledPolicies,
  type CompileOutcome,
} from "./compile.js";
import type { CompiledStore } from "./cache/index.js";
import { listPolicyFolder, readPolicyFolder, type PolicyFolderListing } from "./folder.js";
import { ORGANIZATION_SETTINGS_REPOSITORY } from "../config/index.js";

export interface OrgPolicyOptions {
  bounds?: CustomRuleBounds;
  /** Compiled versions kept (least recently used go first). */
  maxCompiled?: number;
  /** Folders whose last good version is remembered. */
  maxFolders?: number;
  /**
   * Compiled versions and each folder's last good one beyond this process (Redis,
   * TOLLGATE_CACHE_DIR); none by default.
   */
  store?: CompiledStore;
  /** Where the compiler's warnings on a folder go, one entry each, when it is compiled. */
  log?: OrgPolicyLog;
}

export interface OrgPolicyLog {
  warn(fields: object, message: string): void;
}

export interface ResolvedPolicies {
  listing: PolicyFolderListing;
  outcome: CompileOutcome;
  /** When `outcome` failed: the version that compiled last, which scans keep using. */
  lastGood?: CompiledPolicies;
}

/** What a pull request's scan adds: rule sets, errors that block (on_error), notices for the summary. */
export interface PullPolicies {
  ruleSets: CustomRuleSet[];
  errors: LoadError[];
  notices: string[];
}

export class OrgPolicies {
  private readonly compiled = new Map<string, Promise<CompileOutcome>>();
  private readonly lastGood = new Map<string, CompiledPolicies>();
  private compileCount = 0;
  readonly bounds: CustomRuleBounds;

  constructor(private readonly options: OrgPolicyOptions = {}) {
    this.bounds = options.bounds ?? defaultCustomRuleBounds;
  }

  /**
   * The custom rules that gate a pull request of `target`, read from default branches only: the
   * organization's folder and, when the settings allow it, the repository's own.
   */
  async forPull(
    api: GitHubApi,
    target: RepoRef,
    settings: Settings,
    reservedIds: readonly string[],
    signal?: AbortSignal,
  ): Promise<PullPolicies> {
    const found: PullPolicies = { ruleSets: [], errors: [], notices: [] };
    const folders: [RepoRef, string | undefined][] = [
      [
        { owner: target.owner, repo: ORGANIZATION_SETTINGS_REPOSITORY },
        settings.policies.organization,
      ],
      // Only owner and name: the folder's requests spread the reference into their parameters.
      [{ owner: target.owner, repo: target.repo }, settings.policies.repository],
    ];
    for (const [repository, folder] of folders) {
      if (folder === undefined) continue;
      const resolved = await this.resolve(api, repository, folder, undefined, reservedIds, signal);
      const foreign = repository.repo !== target.repo;
      const fileName = (file: string) =>
        foreign ? `${repository.owner}/${repository.repo}:${file}` : file;
      const inForce = resolved.outcome.ok ? resolved.outcome.policies : resolved.lastGood;
      if (inForce) {
        const inRepository = `${repository.owner}/${repository.repo}`;
        found.ruleSets.push({
          ...boundedRuleSet(inForce, this.bounds, fileName),
          definitions: Object.fromEntries(
            inForce.rules.map((rule) => [
              rule.meta.id,
              { repository: inRepository, path: rule.file },
            ]),
          ),
        });
      }
      if (resolved.outcome.ok) continue;
      const count = resolved.outcome.errors.length;
      if (inForce) {
        found.notices.push(
          `The custom policies in ${resolved.listing.origin} do not compile (${count} error${count === 1 ? "" : "s"}; see the Tollgate policies check on that repository); the last version that compiled applies.`,
        );
      } else {
        found.errors.push(
          ...resolved.outcome.errors.map((error) => ({
            ...error,
            file: fileName(error.file),
            message: `${error.message} (custom policies of ${resolved.listing.origin} do not compile and no earlier version is known)`,
          })),
        );
      }
    }
    return found;
  }

  /** The folder at `ref` (the default branch when absent), compiled or from the cache. */
  async resolve(
    api: GitHubApi,
    repository: RepoRef,
    folder: string,
    ref: string | undefined,
    reservedIds: readonly string[],
    signal?: AbortSignal,
    /** False for a pull request's proposed policies: only what reached a default branch is kept. */
    keepAsLastGood = true,
  ): Promise<ResolvedPolicies> {
    const listing = await listPolicyFolder(api, repository, folder, ref, signal);
    const outcome = await this.compile(api, listing, reservedIds, signal);
    if (outcome.ok && keepAsLastGood) await this.keepAsLastGood(listing.origin, outcome.policies);
    const lastGood = outcome.ok ? undefined : await this.lastGoodOf(listing.origin);
    return { listing, outcome, ...(lastGood ? { lastGood } : {}) };
  }

  /** Compiled versions currently cached, for tests and metrics. */
  get cachedVersions(): number {
    return this.compiled.size;
  }

  /** Folder versions this instance compiled (not found in either cache), for tests and metrics. */
  get compiles(): number {
    return this.compileCount;
  }

  private async compile(
    api: GitHubApi,
    listing: PolicyFolderListing,
    reservedIds: readonly string[],
    signal: AbortSignal | undefined,
  ): Promise<CompileOutcome> {
    if (listing.errors.length > 0) return { ok: false, errors: listing.errors, warnings: [] };
    const library = await builtinLibrary();
    const key = policiesKey(listing.files, library.revision, reservedIds);
    const cached = this.compiled.get(key);
    if (cached) {
      this.compiled.delete(key);
      this.compiled.set(key, cached);
      return cached;
    }
    const compiling = this.storedOrCompiled(key, listing, reservedIds, library, api, signal);
    this.compiled.set(key, compiling);
    // A failed read (network, abort) is not a property of the sources: try again next time.
    compiling.catch(() => this.compiled.delete(key));
    const max = this.options.maxCompiled ?? 32;
    for (const oldest of this.compiled.keys()) {
      if (this.compiled.size <= max) break;
      this.compiled.delete(oldest);
    }
    return compiling;
  }

  private async storedOrCompiled(
    key: string,
    listing: PolicyFolderListing,
    reservedIds: readonly string[],
    library: PolicyLibrary,
    api: GitHubApi,
    signal: AbortSignal | undefined,
  ): Promise<CompileOutcome> {
    const { store } = this.options;
    const stored = await store?.get(key);
    // The key covers the files' paths and contents, not the repository: same folder elsewhere.
    if (stored) return { ok: true, policies: { ...stored, origin: listing.origin } };
    const contents = await readPolicyFolder(api, listing, signal);
    this.compileCount++;
    const outcome = await compilePolicies(key, listing.origin, contents, reservedIds, library);
    this.logWarnings(listing, outcome.ok ? outcome.policies.warnings : outcome.warnings);
    // Only what compiled: a failed folder is cheap to fail again and may be fixed any time.
    if (outcome.ok) await store?.put(outcome.policies);
    return outcome;
  }

  /**
   * At the compile, not at each check: a compiled version is cached (its warnings with it, which
   * the policies check shows). The message quotes no source beyond the `with` target's path.
   */
  private logWarnings(listing: PolicyFolderListing, warnings: readonly LoadError[]): void {
    const { repository, folder } = listing;
    for (const { file, line, column, code, message } of warnings)
      this.options.log?.warn(
        {
          repository: `${repository.owner}/${repository.repo}`,
          folder,
          file,
          line,
          column,
          code,
          message,
        },
        "custom policy compiler warning",
      );
  }

  /** Stored too when it is not already the one in force here (a change, or the first since start). */
  private async keepAsLastGood(origin: string, policies: CompiledPolicies): Promise<void> {
    const known = this.lastGood.get(origin)?.key === policies.key;
    this.remember(origin, policies);
    if (!known) await this.options.store?.putLastGood(origin, policies);
  }

  /** This instance's, else the one a previous process or another replica stored. */
  private async lastGoodOf(origin: string): Promise<CompiledPolicies | undefined> {
    const remembered = this.lastGood.get(origin);
    if (remembered) return remembered;
    const stored = await this.options.store?.getLastGood(origin);
    if (!stored) return undefined;
    const policies = { ...stored, origin };
    this.remember(origin, policies);
    return policies;
  }

  private remember(origin: string, policies: CompiledPolicies): void {
    this.lastGood.delete(origin);
    this.lastGood.set(origin, policies);
    const max = this.options.maxFolders ?? 256;
    for (const oldest of this.lastGood.keys()) {
      if (this.lastGood.size <= max) break;
      this.lastGood.delete(oldest);
    }
  }
}
