package control

import "stockade.dev/sentry/kernel"

func kernelStatusForTest() kernel.ExitStatus { return kernel.ExitStatus{Code: 3} }
