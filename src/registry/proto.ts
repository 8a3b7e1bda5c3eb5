// The registry's protobuf messages (HEX_PROTOCOL.md §7.3), decoded with protobufjs from a JSON schema
// (no generated code). protobufjs skips unknown fields, keeps unknown enum values as integers, reads
// repeated scalars packed or not, and refuses a message that lacks a proto2 `required` field.
import protobuf from "protobufjs/light.js";

const required = (type: string, id: number) => ({ rule: "required", type, id });
const optional = (type: string, id: number) => ({ type, id });
const repeated = (type: string, id: number) => ({ rule: "repeated", type, id });

const SCHEMA = {
  nested: {
    Signed: { fields: { payload: required("bytes", 1), signature: optional("bytes", 2) } },
    Timestamp: { fields: { seconds: required("int64", 1), nanos: required("int32", 2) } },
    Names: { fields: { packages: repeated("NamesPackage", 1), repository: required("string", 2) } },
    NamesPackage: { fields: { name: required("string", 1), updated_at: optional("Timestamp", 3) } },
    Versions: { fields: { packages: repeated("VersionsPackage", 1), repository: required("string", 2) } },
    VersionsPackage: {
      fields: {
        name: required("string", 1),
        versions: repeated("string", 2),
        retired: { ...repeated("int32", 3), options: { packed: true } },
        with_advisories: { ...repeated("int32", 5), options: { packed: true } },
      },
    },
    Package: {
      fields: {
        releases: repeated("Release", 1),
        name: required("string", 2),
        repository: required("string", 3),
        advisories: repeated("SecurityAdvisory", 4),
      },
    },
    Release: {
      fields: {
        version: required("string", 1),
        inner_checksum: required("bytes", 2),
        dependencies: repeated("Dependency", 3),
        retired: optional("RetirementStatus", 4),
        outer_checksum: optional("bytes", 5),
        advisory_indexes: repeated("uint32", 6),
        published_at: optional("Timestamp", 7),
      },
    },
    RetirementStatus: { fields: { reason: required("RetirementReason", 1), message: optional("string", 2) } },
    RetirementReason: {
      values: { RETIRED_OTHER: 0, RETIRED_INVALID: 1, RETIRED_SECURITY: 2, RETIRED_DEPRECATED: 3, RETIRED_RENAMED: 4 },
    },
    Dependency: {
      fields: {
        package: required("string", 1),
        requirement: required("string", 2),
        optional: optional("bool", 3),
        app: optional("string", 4),
        repository: optional("string", 5),
      },
    },
    SecurityAdvisory: {
      fields: {
        id: required("string", 1),
        summary: required("string", 2),
        html_url: required("string", 3),
        severity: optional("AdvisorySeverity", 4),
        cvss_score: optional("float", 5),
        api_url: required("string", 6),
        aliases: repeated("string", 7),
      },
    },
    AdvisorySeverity: {
      values: { SEVERITY_NONE: 0, SEVERITY_LOW: 1, SEVERITY_MEDIUM: 2, SEVERITY_HIGH: 3, SEVERITY_CRITICAL: 4 },
    },
  },
};

export type MessageName = "Signed" | "Names" | "Versions" | "Package";

let root: protobuf.Root | undefined;

/** A decoded message as protobufjs gives it: set fields are own properties, unset ones come from the prototype. */
export type RawMessage = Record<string, unknown>;

/** Decodes `bytes` as `name`; throws protobufjs's error (truncated input, wrong wire type, missing required field). */
export function decodeMessage(name: MessageName, bytes: Uint8Array): RawMessage {
  root ??= protobuf.Root.fromJSON(SCHEMA);
  return root.lookupType(name).decode(bytes) as unknown as RawMessage;
}

/** Whether a field was present on the wire (proto2 presence). */
export const has = (m: RawMessage, field: string): boolean => Object.hasOwn(m, field);

export const RETIREMENT_REASONS = ["other", "invalid", "security", "deprecated", "renamed"] as const;
export const ADVISORY_SEVERITIES = ["none", "low", "medium", "high", "critical"] as const;
