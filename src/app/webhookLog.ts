// Probot logs a refused or failed webhook delivery with the error's `event`, which carries the whole
// payload (about 21 KB for a pull request), and logs it twice. The server's logger goes through
// this wrapper: such an error becomes one line with the delivery id, the event name and the reason.
import type { Logger } from "probot";
import { describeError } from "./checkFlow.js";

interface DeliveryFailure {
  delivery: unknown;
  event: unknown;
  errors: Error[];
}

/** The delivery an error logged by Probot or @octokit/webhooks is about, if it is one. */
function deliveryFailure(value: unknown): DeliveryFailure | undefined {
  if (!(value instanceof Error)) return undefined;
  const errors = value instanceof AggregateError ? (value.errors as unknown[]) : [value];
  // The delivery itself ({ id, name, payload }); an AggregateError's own `event` may be an Error.
  const event = [value, ...errors]
    .map((error) => (error as { event?: unknown } | null)?.event)
    .find(
      (found): found is { id?: unknown; name?: unknown } =>
        typeof found === "object" && found !== null && !(found instanceof Error) && "id" in found,
    );
  if (!event) return undefined;
  return {
    delivery: event.id,
    event: event.name,
    errors: errors.filter((error): error is Error => error instanceof Error),
  };
}

/** `log` and its children, logging each failed webhook delivery once and without its payload. */
export function withoutWebhookPayloads(log: Logger): Logger {
  const reported = new WeakSet<Error>();
  const report = (target: Logger, failure: DeliveryFailure) => {
    const fresh = failure.errors.filter((error) => !reported.has(error));
    if (fresh.length === 0) return;
    for (const error of fresh) reported.add(error);
    const fields = { delivery: failure.delivery, event: failure.event };
    // 400: a bad signature or body, refused before any handler ran (check WEBHOOK_SECRET).
    if (fresh.every((error) => (error as { status?: unknown }).status === 400))
      target.warn(
        { ...fields, reason: fresh.map((error) => error.message).join("; ") },
        "webhook refused",
      );
    else target.error({ ...fields, errors: fresh.map(describeError) }, "webhook handler failed");
  };
  type Method = (...args: unknown[]) => unknown;
  // Generic over the logger's type: pino's child loggers are typed apart from their parent.
  const wrap = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(object, property, receiver) {
        const value = Reflect.get(object, property, receiver) as unknown;
        if (typeof value !== "function") return value;
        const method = value as Method;
        if (property === "child")
          return (...args: unknown[]) => wrap(method.apply(object, args) as object);
        if (property === "error")
          return (...args: unknown[]) => {
            const failure = deliveryFailure(args[0]);
            if (failure) report(object as unknown as Logger, failure);
            else method.apply(object, args);
          };
        return value;
      },
    });
  return wrap(log);
}
