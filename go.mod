module stockade.dev

go 1.26.8

require (
	github.com/google/subcommands v1.2.0
	golang.org/x/sys v0.49.0
)
