package app

import (
	"fmt"
	"io"

	"github.com/nmsexporter/nms_exporter/config"
)

// CheckConfig validates a config file: it prints the file's warnings and
// returns 0 if the file is valid, or prints each problem with its file and
// line and returns 1.
func CheckConfig(stdout, stderr io.Writer, file string) int {
	cfg, err := config.Load(file)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	for _, w := range cfg.Warnings {
		fmt.Fprintln(stderr, "warning: "+w)
	}
	fmt.Fprintf(stdout, "%s: valid\n", file)
	return 0
}
