module stockade.dev

go 1.26.8

require (
	github.com/google/subcommands v1.2.0
	github.com/opencontainers/runtime-spec v1.3.0
	golang.org/x/net v0.62.0
	golang.org/x/sys v0.49.0
	google.golang.org/protobuf v1.36.12
)
