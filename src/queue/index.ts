// The queue stage's only door: the `JobQueue` seam, the job payload, the in-process implementation
// (the default) and the Redis/BullMQ one for many replicas.
export * from "./types.js";
export * from "./payload.js";
export * from "./memory.js";
export * from "./bull.js";
export * from "./environment.js";
