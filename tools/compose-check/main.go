// Command compose-check loads a Compose file (and any overrides) with compose-go, the loader Docker Compose itself
// uses: it validates the file against the Compose specification's JSON schema, interpolates
// variables and resolves the model, then prints the resolved project as JSON for the caller's
// own consistency checks. Lantern's tests run it because no Docker engine is available here.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: compose-check <compose.yaml> [<override.yaml>...]")
		os.Exit(2)
	}
	ctx := context.Background()
	options, err := cli.NewProjectOptions(
		// Later files override earlier ones, as with `docker compose -f a -f b`.
		os.Args[1:],
		cli.WithName("lantern"),
		cli.WithOsEnv,
		cli.WithDotEnv,
		// Every profile, so opt-in services are validated too.
		cli.WithProfiles([]string{"*"}),
	)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	project, err := options.LoadProject(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out, err := json.MarshalIndent(project, "", "  ")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(string(out))
}
