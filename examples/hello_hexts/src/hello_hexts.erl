-module(hello_hexts).
-export([greet/1]).

%% Returns a greeting for Name.
greet(Name) -> <<"Hello, ", Name/binary, "!">>.
