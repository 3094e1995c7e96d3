// The package's root door: the resource model types. Stages add their public API here as they land.
export * from "./model/index.js";
