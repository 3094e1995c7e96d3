// The queue stage's only door: the `JobQueue` seam, the job payload, the in-process implementation
// (the default) and the Redis/BullMQ one for many replicas, and the runs a suspension left and the
// settings last read valid, kept where every replica taking the queue's work sees them.
export * from "./types.js";
export * from "./payload.js";
export * from "./memory.js";
export * from "./bull.js";
export * from "./environment.js";
export * from "./suspendedRuns.js";
export * from "./replicaMemory.js";
