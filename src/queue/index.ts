// The queue stage's only door: the `JobQueue` seam and its in-process implementation.
export * from "./types.js";
export * from "./memory.js";
