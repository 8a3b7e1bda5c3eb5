// The typed Hex HTTP API client: the transport (HexClient) and one module per resource.
export { HexClient, parseBody } from "./http.js";
export type {
  ApiResponse,
  CallOptions,
  Credential,
  HexClientOptions,
  HttpMethod,
  RequestOptions,
  RetryInfo,
} from "./http.js";
export { decodeBody, UnreadableBody } from "./body.js";
export { defaultTransport } from "../http/index.js";
export type { HttpTransport, HttpRequest, HttpResponse, HttpHeaders, TransportOptions } from "../http/index.js";
export {
  ApiError,
  isApiError,
  flattenFieldErrors,
  errorFromResponse,
  errorFromTransport,
  redactUrl,
} from "./errors.js";
export type { CredentialKind } from "./errors.js";
export type { HexMessage } from "./headers.js";
export { proxyFromEnv } from "./proxy.js";
export type { ProxySettings } from "./proxy.js";
export { defaultRetryPolicy, describeRetry, retryDecision, retryIsNotable } from "./retry.js";
export type { RetryPolicy } from "./retry.js";
export { organizationOf, repoPrefix, orgPrefix } from "./paths.js";
export { hextsUserAgent, userAgent } from "./user-agent.js";
export { OtpSession, otpRetry } from "./otp.js";
export type { OtpOptions, OtpReason } from "./otp.js";
export * from "./schemas.js";
export * from "./users.js";
export * from "./keys.js";
export * from "./organizations.js";
export * from "./packages.js";
export * from "./releases.js";
export * from "./owners.js";
export * from "./retirements.js";
export * from "./docs.js";
export * from "./auth.js";
export * from "./oauth.js";
