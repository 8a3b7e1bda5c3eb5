// Building blocks shared by several resources. Objects are loose: fields we do not know pass through.
import { z } from "zod";

/** ISO-8601 UTC timestamp as the server sends it (kept as a string). */
export const Timestamp = z.string();

/** The short user form (package owners, release publisher, organization members). */
export const UserRefSchema = z.looseObject({
  username: z.string(),
  url: z.string().nullish(),
  email: z.string().nullish(),
});
export type UserRef = z.output<typeof UserRefSchema>;

export const RetirementSchema = z.looseObject({
  reason: z.string(),
  message: z.string().nullish(),
});
export type Retirement = z.output<typeof RetirementSchema>;

export const AuditLogSchema = z.looseObject({
  action: z.string(),
  params: z.unknown().optional(),
  user_agent: z.string().nullish(),
});
export type AuditLog = z.output<typeof AuditLogSchema>;

/** Package lists and audit logs come 100 to a page; a shorter page is the last one (HEX_PROTOCOL.md §2.4). */
export const PAGE_SIZE = 100;
