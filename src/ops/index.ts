// The operations stage's only door: health and metrics endpoints for the app server.
export * from "./metrics.js";
export * from "./handler.js";
