package config

// Limits on the files a config names. A config or a secret is a few
// kilobytes; the limits only stop a wrong path (/dev/zero, a log file)
// from eating the process's memory.
const (
	maxConfigBytes = 16 << 20
	maxSecretBytes = 64 << 10
)
