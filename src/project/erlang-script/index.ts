// Evaluating rebar.config.script and src/APP.app.src.script as rebar3 does (rebar_config:consult_and_eval/2):
// CONFIG is bound to the terms of the file without `.script` ([] when it is missing), SCRIPT to the script's
// path, and the script's value replaces the configuration (a non-list value V becomes [V]).
//
// First the built-in evaluator (pure, read-only, bounded). When the script calls what it does not know, or its
// result depends on the Erlang release it runs on in a way that matters, and `erl` is installed, the script is
// run by real Erlang exactly as rebar3 would run it (file:script/2, time-limited) and a note says so.
// Otherwise one error names the file, line and column, and the way out (--metadata FILE).
import { spawn } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { delimiter, join, relative } from "node:path";
import { childProcessEnv } from "../../config/child-env.js";
import { decodeExternalTerm } from "../../erlang/etf.js";
import { decodeSource, parseTerms } from "../../erlang/reader.js";
import { type Term } from "../../erlang/terms.js";
import { HextsError } from "../../errors.js";
import { formatErlang } from "./format.js";
import { ErlangException, Fun, ScriptEvaluator, ScriptUnsupported, type ScriptLimits, type V } from "./eval.js";
import { parseScript, type Pos } from "./parse.js";

export {
  ScriptEvaluator,
  ScriptUnsupported,
  ScriptLimitError,
  ErlangException,
  DEFAULT_SCRIPT_LIMITS,
  type ScriptLimits,
} from "./eval.js";
export { parseScript, ScriptSyntaxError } from "./parse.js";

/** Named in every "cannot evaluate" error. */
export const SCRIPT_METADATA_HINT =
  "describe the package in a JSON file and pass --metadata FILE (format in hexts's README)";

export interface ConfigScriptOptions {
  /** The project root (reads are confined to it; scripts run from it, as rebar3 runs them). */
  root: string;
  /** Absolute path of the script (`.../rebar.config.script`, `.../src/APP.app.src.script`). */
  script: string;
  /** The environment os:getenv reads; hexts's own credentials are left out. Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /**
   * What of the result matters for the package (deps, hex settings, vsn...), as a string: used to tell whether a
   * machine-dependent value (the OTP release) changes anything. Default: the whole result.
   */
  fingerprint?: (terms: Term[]) => string;
  /** Use real Erlang when needed: "auto" (default) when `erl` is on PATH, "never" to never run it. */
  erlang?: "auto" | "never";
  limits?: ScriptLimits;
  /** Milliseconds real Erlang may take (default 20 s). */
  timeoutMs?: number;
}

export interface ConfigScriptResult {
  /** The configuration the script returns (always a list, as rebar3 makes it). */
  terms: Term[];
  /** "builtin" or "erlang" (real Erlang ran it). */
  via: "builtin" | "erlang";
  /** A one-line note when real Erlang was used. */
  note?: string;
}

/** The OTP releases hexts evaluates a release-dependent script with: the oldest and newest rebar3 supports. */
const OTP_RELEASES = ["28", "24"];

/** The environment for os:getenv: the user's, without hexts's credentials. */
function scriptEnv(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  return childProcessEnv(env);
}

/** `rebar_file_utils:try_consult/1`: the file's terms, [] when it does not exist. */
function consultOrEmpty(path: string, root: string): Term[] {
  if (!existsSync(path)) return [];
  return parseTerms(readFileSync(path), relative(root, path));
}

function asList(v: V, file: string, at: Pos): Term[] {
  if (v instanceof Fun)
    throw new HextsError(
      "PROJECT_INVALID",
      `${file}:${at.line}:${at.col}: the script returns a fun, not a configuration`,
    );
  return Array.isArray(v) ? v : [v];
}

/** Finds `erl` on PATH (no shell involved). */
export function findErl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, "erl");
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

const codes = (s: string) => `[${Array.from(s, (c) => c.codePointAt(0)).join(",")}]`;

/**
 * Runs the script with real Erlang as rebar3 does: CONFIG from file:consult of the base file ([] when missing),
 * SCRIPT bound, file:script/2, from the project root. The value comes back in the external term format.
 */
async function runWithErlang(erl: string, opts: ConfigScriptOptions, base: string, timeoutMs: number): Promise<Term> {
  const code = [
    `Base = ${codes(base)}, Script = ${codes(opts.script)},`,
    "Config = case file:consult(Base) of {ok, T} -> T; " +
      "{error, enoent} -> []; {error, E0} -> erlang:error({consult, E0}) end,",
    "Bs = erl_eval:add_binding('SCRIPT', Script, erl_eval:add_binding('CONFIG', Config, erl_eval:new_bindings())),",
    "R = try file:script(Script, Bs) of {ok, V} -> {ok, V}; Err -> Err catch C:Rsn -> {error, {C, Rsn}} end,",
    "io:put_chars(binary:encode_hex(term_to_binary(R))), halt(0).",
  ].join(" ");
  const env = childProcessEnv(opts.env ?? process.env);
  const out = await new Promise<string>((resolvePromise, reject) => {
    const child = spawn(erl, ["-noshell", "-noinput", "-boot", "start_clean", "-eval", code], {
      cwd: opts.root,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const limit = 64 * 1024 * 1024;
    child.stdout.setEncoding("latin1").on("data", (d: string) => {
      stdout += d;
      if (stdout.length > limit) child.kill("SIGKILL");
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr = (stderr + d).slice(-4000)));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      if (signal)
        reject(
          new Error(
            signal === "SIGKILL"
              ? `it took longer than ${timeoutMs / 1000} s (or printed too much) and was stopped`
              : `it was stopped by ${signal}`,
          ),
        );
      else if (status !== 0)
        reject(new Error(`erl exited with status ${status}: ${stderr.trim().split("\n").slice(-3).join(" ")}`));
      else resolvePromise(stdout.trim());
    });
  });
  if (!/^([0-9A-F]{2})*$/.test(out)) throw new Error("erl printed something other than the result");
  return decodeExternalTerm(Uint8Array.from(Buffer.from(out, "hex")));
}

/** Evaluates a rebar3 configuration script. Throws HextsError(PROJECT_INVALID) with file:line:col when it cannot. */
export async function evaluateConfigScript(opts: ConfigScriptOptions): Promise<ConfigScriptResult> {
  const file = relative(opts.root, opts.script) || opts.script;
  const base = opts.script.replace(/\.script$/, "");
  const config = consultOrEmpty(base, opts.root);
  const nodes = parseScript(decodeSource(readFileSync(opts.script)), file);
  const env = scriptEnv(opts.env ?? process.env);
  const fingerprint = opts.fingerprint ?? ((t: Term[]) => formatErlang(t, "~w"));

  let unsupported: ScriptUnsupported | undefined;
  let dependsOn: { what: string; at: Pos } | undefined;
  const results: Term[][] = [];
  try {
    for (const otpRelease of OTP_RELEASES) {
      let machine: { what: string; at: Pos } | undefined;
      const ev = new ScriptEvaluator(
        file,
        { root: opts.root, cwd: opts.root, env, otpRelease, onMachineValue: (what, at) => (machine ??= { what, at }) },
        opts.limits,
      );
      const bindings = new Map<string, V>([
        ["CONFIG", config],
        ["SCRIPT", [...opts.script].map((c) => c.codePointAt(0)!)],
      ]);
      let value: V;
      try {
        value = ev.run(nodes, bindings);
      } catch (e) {
        if (e instanceof ErlangException) {
          throw new HextsError(
            "PROJECT_INVALID",
            `${file}:${e.at.line}:${e.at.col}: the script raised ${e.message} (rebar3 stops here too)`,
            {
              details: { file, line: e.at.line, column: e.at.col },
            },
          );
        }
        throw e;
      }
      results.push(asList(value, file, nodes.at(-1) ?? { line: 1, col: 1 }));
      if (!machine) break;
      dependsOn = machine;
    }
  } catch (e) {
    if (!(e instanceof ScriptUnsupported)) throw e;
    unsupported = e;
  }
  const differs = results.length > 1 && fingerprint(results[0]!) !== fingerprint(results[1]!);
  if (!unsupported && !differs) return { terms: results[0]!, via: "builtin" };

  const why = unsupported
    ? `${file}:${unsupported.line}:${unsupported.col}: calls ${unsupported.what}, which hexts's built-in evaluator ` +
      "does not support"
    : `${file}:${dependsOn!.at.line}:${dependsOn!.at.col}: the package depends on ${dependsOn!.what}, ` +
      "the Erlang release rebar3 runs on";
  const erl = opts.erlang === "never" ? undefined : findErl(opts.env ?? process.env);
  if (!erl) {
    throw new HextsError(
      "PROJECT_INVALID",
      `${why}; install Erlang (erl on PATH) so hexts can run the script as rebar3 would, or ${SCRIPT_METADATA_HINT}`,
      {
        details: {
          file,
          line: unsupported?.line ?? dependsOn?.at.line,
          column: unsupported?.col ?? dependsOn?.at.col,
          reason: "script_unsupported",
        },
      },
    );
  }
  let reply: Term;
  try {
    reply = await runWithErlang(erl, opts, base, opts.timeoutMs ?? 20_000);
  } catch (e) {
    throw new HextsError(
      "PROJECT_INVALID",
      `${why}, and running it with ${erl} failed: ${(e as Error).message}; ${SCRIPT_METADATA_HINT}`,
      { details: { file }, cause: e },
    );
  }
  const { Tuple, Atom } = await import("../../erlang/terms.js");
  if (!(reply instanceof Tuple) || !(reply.items[0] instanceof Atom) || reply.items[0].name !== "ok") {
    throw new HextsError(
      "PROJECT_INVALID",
      `${file}: evaluating the script with Erlang failed (rebar3 stops here too): ${formatErlang(reply, "~p")}`,
      { details: { file } },
    );
  }
  const value = reply.items[1]!;
  return {
    terms: Array.isArray(value) ? value : [value],
    via: "erlang",
    note:
      `${file} was evaluated by Erlang (${erl}), as rebar3 would: ` +
      `${unsupported ? `it calls ${unsupported.what}` : `it depends on ${dependsOn!.what}`}`,
  };
}
