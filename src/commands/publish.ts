// `hexts publish [package|docs]` (mix hex.publish, rebar3 hex publish): publish the package and its docs,
// or revert a release (`--revert VERSION`) or only its docs (`docs --revert VERSION`).
import { z } from "zod";
import { defineSubcommand, type Subcommands } from "./task.js";
import type { Context } from "./context.js";
import { HextsError } from "../errors.js";
import type { Output } from "../ui/output.js";
import { publishExitCode, publishFlow, renderPublish, type PublishResult } from "./publish/flow.js";
import { renderRevert, revertFlow, type RevertResult } from "./publish/revert.js";

const Text = z.string().min(1);

export const PublishInput = z.object({
  what: z.enum(["package", "docs"]).optional(),
  dryRun: z.boolean().optional(),
  replace: z.boolean().optional(),
  revert: Text.optional(),
  organization: Text.optional(),
  app: Text.optional(),
  metadata: Text.optional(),
  buildTool: z.enum(["rebar3", "mix", "make"]).optional(),
  docDir: Text.optional(),
  progress: z.boolean().optional(),
});
export type PublishInputValue = z.output<typeof PublishInput>;

export type PublishOutcome = PublishResult | RevertResult;

export async function publish(ctx: Context, input: PublishInputValue): Promise<PublishOutcome> {
  if (input.revert !== undefined) {
    if (input.replace) throw new HextsError("USAGE", "--revert and --replace cannot be combined");
    return revertFlow(ctx, {
      version: input.revert,
      docs: input.what === "docs",
      dryRun: input.dryRun,
      app: input.app,
      metadata: input.metadata,
      organization: input.organization,
    });
  }
  if (input.what === "docs" && input.replace)
    throw new HextsError("USAGE", "--replace applies to the package; docs can always be published again");
  return publishFlow(ctx, {
    what: input.what,
    dryRun: input.dryRun,
    replace: input.replace,
    progress: input.progress,
    app: input.app,
    metadata: input.metadata,
    buildTool: input.buildTool,
    docDir: input.docDir,
    organization: input.organization,
  });
}

const isRevert = (r: PublishOutcome): r is RevertResult => (r as RevertResult).action === "revert";

export function renderPublishOutcome(r: PublishOutcome, out: Output): void {
  if (isRevert(r)) renderRevert(r, out);
  else renderPublish(r, out);
}

export const subcommands = {
  publish: defineSubcommand({
    input: PublishInput,
    run: publish,
    render: renderPublishOutcome,
    exitCode: (r: PublishOutcome) => (isRevert(r) ? 0 : publishExitCode(r)),
  }),
} satisfies Subcommands;
