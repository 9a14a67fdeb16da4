// @versioned/objects/internal: helpers that the workspace's own packages share (@versioned/rpc, @versioned/cli).
// Not the public API: no API report, no compatibility promise from one release to the next. Applications
// import from '@versioned/objects'.
export { defineOwn, isPlainObject, isRecord } from './records.js';
