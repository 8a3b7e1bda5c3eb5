#!/usr/bin/env escript
%% -*- erlang -*-
%% The real hex_core (the copy rebar3 ships as r3_hex_*) driving a Hex API: the requests the official
%% clients make, in their format (accept and bodies in Erlang's term format). One line per step:
%% "STEP STATUS DETAIL". A reply hex_core cannot use makes the step crash, as it would crash the client.
%% Usage: escript scenario.escript API_URL API_KEY OTHER_USER PACKAGE
-mode(compile).

main([ApiUrl, Key, Other, Package]) ->
    load_hex_core(),
    {ok, _} = application:ensure_all_started(inets),
    Config = maps:merge(r3_hex_core:default_config(), #{
        api_url => list_to_binary(ApiUrl),
        api_key => list_to_binary(Key),
        http_user_agent_fragment => <<"(hexts-test)">>
    }),
    Name = list_to_binary(Package),
    OtherName = list_to_binary(Other),

    step(me, r3_hex_api_user:me(Config), fun(#{<<"username">> := U, <<"organizations">> := Orgs}) when is_list(Orgs) ->
        [U, " orgs=", integer_to_list(length(Orgs))]
    end),
    step(key_add, r3_hex_api_key:add(Config, <<"ci-key">>, [#{<<"domain">> => <<"api">>, <<"resource">> => <<"read">>}]),
        fun(#{<<"name">> := N, <<"secret">> := S}) when is_binary(S) -> N end),
    step(key_list, r3_hex_api_key:list(Config), fun(Keys) when is_list(Keys) ->
        lists:join(",", [N || #{<<"name">> := N} <- Keys])
    end),
    step(key_get, r3_hex_api_key:get(Config, <<"ci-key">>), fun(#{<<"permissions">> := [#{<<"resource">> := R}]}) -> R end),

    {ok, #{tarball := Tarball}} = r3_hex_tarball:create(metadata(Name, <<"0.1.0">>), [{"src/" ++ Package ++ ".erl", module(Package)}]),
    step(publish, r3_hex_api_release:publish(Config, Tarball), fun(#{<<"version">> := V, <<"checksum">> := C}) when is_binary(C) -> V end),
    step(publish_again, r3_hex_api_release:publish(Config, Tarball, [{replace, false}]),
        fun(#{<<"status">> := 422, <<"errors">> := #{<<"inserted_at">> := E}}) -> E end),
    step(package_get, r3_hex_api_package:get(Config, Name), fun(#{<<"name">> := N, <<"releases">> := [_]}) -> N end),
    step(release_get, r3_hex_api_release:get(Config, Name, <<"0.1.0">>), fun(#{<<"version">> := V, <<"retirement">> := nil}) -> V end),
    step(retire, r3_hex_api_release:retire(Config, Name, <<"0.1.0">>, #{<<"reason">> => <<"security">>, <<"message">> => <<"a bad one">>}), fun(nil) -> "" end),
    step(retired, r3_hex_api_release:get(Config, Name, <<"0.1.0">>), fun(#{<<"retirement">> := #{<<"reason">> := R}}) -> R end),
    step(unretire, r3_hex_api_release:unretire(Config, Name, <<"0.1.0">>), fun(nil) -> "" end),
    step(owner_add, r3_hex_api_package_owner:add(Config, Name, OtherName, <<"maintainer">>, false), fun(nil) -> "" end),
    step(owner_list, r3_hex_api_package_owner:list(Config, Name), fun(Owners) when is_list(Owners) ->
        lists:join(",", [[U, ":", L] || #{<<"username">> := U, <<"level">> := L} <- Owners])
    end),
    step(owner_get, r3_hex_api_package_owner:get(Config, Name, OtherName), fun(#{<<"level">> := L}) -> L end),
    step(owner_delete, r3_hex_api_package_owner:delete(Config, Name, OtherName), fun(nil) -> "" end),
    step(search, r3_hex_api_package:search(Config, Name, []), fun(Found) when is_list(Found) ->
        lists:join(",", [N || #{<<"name">> := N} <- Found])
    end),
    step(key_delete, r3_hex_api_key:delete(Config, <<"ci-key">>), fun(#{<<"name">> := N}) -> N end),
    step(revert, r3_hex_api_release:delete(Config, Name, <<"0.1.0">>), fun(nil) -> "" end),
    step(not_found, r3_hex_api_package:get(Config, Name), fun(#{<<"status">> := 404, <<"message">> := M}) -> M end),
    Anonymous = maps:remove(api_key, Config),
    step(register, r3_hex_api_user:create(Anonymous, <<"newcomer">>, <<"a-good-password">>, <<"newcomer@example.com">>),
        fun(#{<<"username">> := U}) -> U end),
    step(unauthenticated, r3_hex_api_user:me(Anonymous), fun(#{<<"status">> := 401, <<"message">> := M}) -> M end).

step(Name, {ok, {Status, _Headers, Body}}, Check) ->
    io:format("~s ~p ~ts~n", [Name, Status, iolist_to_binary(Check(Body))]);
step(Name, Other, _Check) ->
    io:format("~s error ~0p~n", [Name, Other]).

metadata(Name, Version) ->
    #{<<"name">> => Name, <<"version">> => Version, <<"app">> => Name,
      <<"description">> => <<"published by hex_core in a test">>, <<"licenses">> => [<<"Apache-2.0">>],
      <<"build_tools">> => [<<"rebar3">>], <<"requirements">> => [],
      <<"files">> => [<<"src/", Name/binary, ".erl">>]}.

module(Package) ->
    list_to_binary(["-module(", Package, ").\n-export([hello/0]).\nhello() -> world.\n"]).

%% rebar3 is an escript whose archive holds hex_core's modules (renamed r3_hex_*): load them from it.
load_hex_core() ->
    Rebar3 = os:find_executable("rebar3"),
    {ok, Sections} = escript:extract(Rebar3, []),
    {ok, Files} = zip:extract(proplists:get_value(archive, Sections), [memory]),
    [{module, _} = code:load_binary(list_to_atom(filename:basename(N, ".beam")), N, B)
     || {N, B} <- Files, lists:prefix("rebar/ebin/r3_", N), filename:extension(N) =:= ".beam"],
    ok.
