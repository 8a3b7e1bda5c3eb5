// io_lib:format/2 for configuration scripts: the directives such scripts use (~s ~ts ~p ~tp ~w ~tw ~b ~B ~c ~n
// ~~ and field widths are not supported beyond these). ~p prints on one line, as io_lib:format does for the short
// terms configuration scripts format.
import { prettyTerm, writeTerm } from "../../erlang/pretty.js";
import { Atom, Float, isCodePoint, isInteger, listItems, textOf, type Term } from "../../erlang/terms.js";

/** Text of a string-like value (charlist, list of codes, binary, or a deep iolist of those). */
export function flatText(t: Term): string | undefined {
  const text = textOf(t);
  if (text !== undefined) return text;
  const items = listItems(t);
  if (!items) return undefined;
  let out = "";
  for (const x of items) {
    if (isCodePoint(x)) out += String.fromCodePoint(x);
    else if (typeof x === "number" || typeof x === "bigint") return undefined;
    else {
      const s = flatText(x);
      if (s === undefined) return undefined;
      out += s;
    }
  }
  return out;
}

/** What ~s prints: an atom, or flat text (an atom inside a list is badarg, as in io_lib:format). */
const chardata = (t: Term): string | undefined => (t instanceof Atom ? t.name : flatText(t));

/** One term as ~p (`mode` "~p") or ~w prints it. */
export function formatErlang(t: Term, mode: "~p" | "~w"): string {
  return mode === "~w" ? writeTerm(t) : prettyTerm(t, { lineLength: 1_000_000 });
}

/** One argument as the directive `d` prints it; undefined when io_lib:format fails with badarg. */
function directive(d: string | undefined, v: Term): string | undefined {
  switch (d) {
    case "s":
      return chardata(v);
    case "p":
      return formatErlang(v, "~p");
    case "w":
      return formatErlang(v, "~w");
    case "b":
    case "B":
      return isInteger(v) ? String(v) : undefined;
    case "c":
      return isCodePoint(v) ? String.fromCodePoint(v) : undefined;
    case "f":
    case "g":
      return v instanceof Float ? v.value.toFixed(6) : undefined;
    case "e":
      return v instanceof Float ? v.value.toExponential(5) : undefined;
    default:
      return undefined;
  }
}

/** io_lib:format(Format, Args); undefined where io_lib:format fails with badarg. */
formatErlang.withArgs = (format: string, args: Term[]): string | undefined => {
  let out = "";
  let next = 0;
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (c !== "~") {
      out += c;
      continue;
    }
    let d = format[++i];
    if (d === "t" || d === "l") d = format[++i];
    if (d === "~" || d === "n") {
      out += d === "~" ? "~" : "\n";
      continue;
    }
    if (next >= args.length) return undefined;
    const piece = directive(d, args[next++]!);
    if (piece === undefined) return undefined;
    out += piece;
  }
  return next === args.length ? out : undefined;
};
