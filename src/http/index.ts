// The transport seam: types, and the default (lazily loaded undici) transport.
export type { HttpHeaders, HttpMethod, HttpRequest, HttpResponse, HttpTransport, TransportOptions } from "./types.js";
export { defaultTransport } from "./lazy.js";
