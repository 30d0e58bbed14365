package main

import (
	"fmt"
	"io"

	"github.com/monsim/monsim/node"
	"github.com/monsim/monsim/scenarios"
)

func cmdList(args []string, stdout, _ io.Writer) error {
	if _, err := parseFlags(newFlags("list"), args, 0); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "scenarios:")
	for _, s := range scenarios.All() {
		fmt.Fprintf(stdout, "  %-24s %s\n", s.Name, s.Description)
	}
	fmt.Fprintln(stdout, "\nplanted bugs (-bug NAME; off by default):")
	for _, b := range node.BugCatalog() {
		fmt.Fprintf(stdout, "  %-28s [%s] %s\n", b.Name, b.Scenario, b.Breaks)
	}
	return nil
}
