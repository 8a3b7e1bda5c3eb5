// Secrets piped on standard input (`--password-stdin`, `--key -`, `--local-password-stdin`). Standard input can
// be read once per run, so each command lets at most one flag claim it.
import { HextsError } from "../../errors.js";

export interface StdinSource {
  readonly stdin: NodeJS.ReadStream;
  readonly out: { readonly secrets: { add(value: string | undefined | null): void } };
  memo<T>(key: string, build: () => T): T;
}

/** Fails with USAGE when more than one of the given flags wants standard input. */
export function claimStdin(claims: [flag: string, wanted: boolean][]): void {
  const wanting = claims.filter(([, wanted]) => wanted).map(([flag]) => flag);
  if (wanting.length > 1) {
    throw new HextsError("USAGE", `${wanting.join(" and ")} both read standard input; give one of them another way`);
  }
}

async function readAll(stream: NodeJS.ReadStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Reads one secret from standard input: everything up to EOF, without the final line break (`trim` also drops
 * surrounding spaces, for keys). Refuses a terminal, where the secret would be echoed while typed.
 */
export async function readStdinSecret(
  ctx: StdinSource,
  o: { what: string; flag: string; trim?: boolean },
): Promise<string> {
  if (ctx.stdin.isTTY) {
    throw new HextsError(
      "USAGE",
      `${o.flag} reads the ${o.what} from a pipe (e.g. \`printf '%s' "$SECRET" | hexts ...\`); ` +
        "on a terminal leave it out and you will be asked",
    );
  }
  const raw = await ctx.memo("auth/stdin", () => readAll(ctx.stdin));
  const value = o.trim ? raw.trim() : raw.replace(/\r?\n$/, "");
  if (value === "") {
    throw new HextsError("INPUT_REQUIRED", `the ${o.what} is required, but nothing came on standard input (${o.flag})`);
  }
  ctx.out.secrets.add(value);
  return value;
}
