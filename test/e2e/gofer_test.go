package e2e

import "os"

// STOCKADE_GOFER=0 runs every `runsc do` case with the host root read
// directly (runsc do --gofer=false) instead of through the gofer process
// that is the default: the variable reaches runsc through the cases' fixed
// environment (natively too, so outputs still compare).
func init() {
	if v := os.Getenv("STOCKADE_GOFER"); v != "" {
		env = append(env, "STOCKADE_GOFER="+v)
	}
}
