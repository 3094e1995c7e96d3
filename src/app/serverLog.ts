// The server's logger: JSON lines on stdout in which each key appears once. Probot names its
// loggers with nested child bindings (`{ name: "probot" }`, then "event", "octokit", "http") under
// a root that is itself named "probot", and pino appends a child's bindings to its parent's, so one
// line repeated "name" up to four times; log pipelines differ on such lines (jq keeps the last
// value, others reject the line or keep the first). Here the root has no name and a child's `name`
// becomes the line's one `component`: the innermost, the part of Probot that logged the line.
import { createRequire } from "node:module";
import type { Logger } from "probot";
import type { ServerEnvironment } from "./environment.js";

type LogLevel = ServerEnvironment["logLevel"];
type Bindings = Parameters<Logger["child"]>[0];
type ChildOptions = Parameters<Logger["child"]>[1];

// Probot's own pino, resolved from Probot's folder: the logger Probot's `Logger` type describes,
// whichever version Probot installs (pino is not a dependency of ours).
const requireFromProbot = createRequire(createRequire(import.meta.url).resolve("probot"));
const pino = requireFromProbot("pino") as (
  options: { level: LogLevel },
  destination?: { write(line: string): unknown },
) => Logger;

/**
 * The root logger for Probot's `Server` and `Probot`: JSON at `level` to stdout (or `destination`),
 * one `component` a line. The root's own lines are the server's ("Listening on ..."): Probot means
 * them to say `server` but drops the child logger it makes for them.
 */
export function createServerLog(
  level: LogLevel,
  destination?: { write(line: string): unknown },
): Logger {
  return withComponentKey(destination ? pino({ level }, destination) : pino({ level }), "server");
}

/**
 * `log` and its children, where a child's `name` binding is the line's `component` instead: each
 * logger keeps the bindings it inherited without a component (`base`) and adds its own component
 * last, so a child replaces its parent's component rather than adding a second one.
 */
function withComponentKey(log: Logger, rootComponent: string): Logger {
  const wrap = (base: Logger, component: string | undefined): Logger => {
    const logger = component === undefined ? base : base.child({ component });
    return new Proxy(logger, {
      get(target, property, receiver) {
        if (property !== "child") return Reflect.get(target, property, receiver) as unknown;
        return (bindings: Bindings, options?: ChildOptions) => {
          const { name, ...others } = bindings as Record<string, unknown>;
          return wrap(
            base.child<never>(others, options),
            name === undefined ? component : String(name),
          );
        };
      },
    });
  };
  return wrap(log, rootComponent);
}
