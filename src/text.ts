// Counting text as a person reads it: grapheme clusters (an emoji with modifiers, a letter with combining accents
// count once), as Elixir's String.length/1 counts them for mix's and hex.pm's length limits.

let segmenter: Intl.Segmenter | undefined;

/** The number of grapheme clusters in `text`. */
export function graphemeCount(text: string): number {
  segmenter ??= new Intl.Segmenter("en", { granularity: "grapheme" });
  let n = 0;
  for (const _ of segmenter.segment(text)) n++;
  return n;
}
