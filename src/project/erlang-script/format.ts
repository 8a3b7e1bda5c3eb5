// io_lib:format/2 for configuration scripts: the directives such scripts use (~s ~ts ~p ~tp ~w ~tw ~b ~B ~c ~n
// ~~ and field widths are not supported beyond these). ~p prints on one line, as io_lib:format does for the short
// terms configuration scripts format.
import { prettyTerm, writeTerm } from "../../erlang/pretty.js";
import { Atom, Float, isInteger, listItems, textOf, type Term } from "../../erlang/terms.js";
import type { Pos } from "./parse.js";

class FormatBadArg extends Error {
  constructor(readonly at: Pos) {
    super("badarg");
  }
}

function chardata(t: Term): string | undefined {
  if (t instanceof Atom) return t.name;
  const text = textOf(t);
  if (text !== undefined) return text;
  const items = listItems(t);
  if (!items) return undefined;
  let out = "";
  for (const x of items) {
    if (isInteger(x)) out += String.fromCodePoint(Number(x));
    else {
      const s = chardata(x);
      if (s === undefined) return undefined;
      out += s;
    }
  }
  return out;
}

/** One term as ~p (`mode` "~p") or ~w prints it. */
export function formatErlang(t: Term, mode: "~p" | "~w"): string {
  return mode === "~w" ? writeTerm(t) : prettyTerm(t, { lineLength: 1_000_000 });
}

formatErlang.withArgs = (format: string, args: Term[], at: Pos): string => {
  let out = "";
  let next = 0;
  const arg = (): Term => {
    if (next >= args.length) throw new FormatBadArg(at);
    return args[next++]!;
  };
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (c !== "~") {
      out += c;
      continue;
    }
    let d = format[++i];
    if (d === "t" || d === "l") d = format[++i];
    switch (d) {
      case "~":
        out += "~";
        break;
      case "n":
        out += "\n";
        break;
      case "s": {
        const s = chardata(arg());
        if (s === undefined) throw new FormatBadArg(at);
        out += s;
        break;
      }
      case "p":
        out += formatErlang(arg(), "~p");
        break;
      case "w":
        out += formatErlang(arg(), "~w");
        break;
      case "b":
      case "B": {
        const v = arg();
        if (!isInteger(v)) throw new FormatBadArg(at);
        out += String(v);
        break;
      }
      case "c": {
        const v = arg();
        if (!isInteger(v)) throw new FormatBadArg(at);
        out += String.fromCodePoint(Number(v));
        break;
      }
      case "f":
      case "e":
      case "g": {
        const v = arg();
        if (!(v instanceof Float)) throw new FormatBadArg(at);
        out += d === "e" ? v.value.toExponential(5) : v.value.toFixed(6);
        break;
      }
      default:
        throw new FormatBadArg(at);
    }
  }
  if (next !== args.length) throw new FormatBadArg(at);
  return out;
};

export { FormatBadArg };
