// Repositories declared the rebar3 way, read from real rebar.config text through the bounded term reader.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseTerms } from "../../src/erlang/reader.js";
import { proplistGet } from "../../src/erlang/terms.js";
import { termToPlain } from "../../src/erlang/plain.js";
import { rebar3Repos } from "../../src/config/rebar3-repos.js";

function reposOf(text: string) {
  const hex = proplistGet(parseTerms(text, "rebar.config"), "hex");
  return rebar3Repos(hex === undefined ? undefined : termToPlain(hex), "rebar.config");
}

test("rebar3 repos: keys, first declaration wins, replace form, junk skipped", () => {
  assert.deepEqual(
    reposOf(`{hex, [{doc, ex_doc},
      {repos, [#{name => <<"mine">>, repo_url => <<"http://h/repos/mine">>, api_url => <<"http://h/api">>,
                 repo_public_key => <<"PEM">>, repo_key => <<"rk">>, api_key => <<"ak">>, repo_verify => true},
               #{name => <<"mine">>, repo_url => <<"http://other">>},
               #{repo_url => <<"no name">>}, not_a_map,
               #{name => <<"hexpm:acme">>}]}]}.`),
    [
      {
        name: "mine",
        repoUrl: "http://h/repos/mine",
        apiUrl: "http://h/api",
        publicKey: "PEM",
        repoKey: "rk",
        apiKey: "ak",
        file: "rebar.config",
      },
      { name: "hexpm:acme", file: "rebar.config" },
    ],
  );
  // `{repos, replace, [...]}` (rebar3's form that drops the default hexpm entry) declares repositories too.
  assert.deepEqual(
    reposOf(`{hex, [{repos, replace, [#{name => <<"only">>, repo_url => "http://h/only"}]}]}.`).map((r) => [
      r.name,
      r.repoUrl,
    ]),
    [["only", "http://h/only"]],
  );
  assert.deepEqual(reposOf(`{deps, []}.`), []);
  assert.deepEqual(reposOf(`{hex, [{repos, not_a_list}]}.`), []);
});
