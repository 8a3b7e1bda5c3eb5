// The transport seam: types, the default (lazily loaded node:http) transport, and undici behind the same seam.
export type { HttpHeaders, HttpMethod, HttpRequest, HttpResponse, HttpTransport, TransportOptions } from "./types.js";
export { defaultTransport, undiciTransport } from "./lazy.js";
export { DEFAULT_MAX_RESPONSE_BYTES, readBodyCapped } from "./body.js";
export { redactUrl, transportCode, transportKind, type TransportKind } from "./faults.js";
