package e2e

import "os"

// STOCKADE_GOFER=1 runs every `runsc do` case with the host root served
// by a confined gofer process (runsc do --gofer) instead of read directly
// (the default): the variable reaches runsc through the cases' fixed
// environment (natively too, so outputs still compare).
func init() {
	if v := os.Getenv("STOCKADE_GOFER"); v != "" {
		env = append(env, "STOCKADE_GOFER="+v)
	}
}
