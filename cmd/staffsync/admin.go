package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/staffsync/staffsync/store"
)

func runAdmin(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return errUsage
	}
	flags := flag.NewFlagSet("admin "+args[0], flag.ContinueOnError)
	dir := flags.String("dir", "", "directory of a running 'staffsync dev' stack (instead of DATABASE_URL)")
	databaseURL := flags.String("database-url", os.Getenv("DATABASE_URL"), "PostgreSQL URL (env DATABASE_URL)")
	company := flags.Int64("company", 0, "company id (create-token)")
	adminName := flags.String("admin-name", "admin", "name of the admin the token belongs to")
	// Flags may come before or after the positional NAME.
	var positional []string
	rest := args[1:]
	for len(rest) > 0 {
		if err := flags.Parse(rest); err != nil {
			return err
		}
		rest = flags.Args()
		if len(rest) > 0 {
			positional = append(positional, rest[0])
			rest = rest[1:]
		}
	}
	url := *databaseURL
	if *dir != "" || url == "" {
		d := *dir
		if d == "" {
			d = defaultDevDir
		}
		raw, err := os.ReadFile(filepath.Join(d, devDatabaseURLFile))
		if err != nil {
			return fmt.Errorf("no database: set DATABASE_URL, or pass --dir of a 'staffsync dev' stack that has started (%w)", err)
		}
		url = strings.TrimSpace(string(raw))
	}
	st, err := store.Open(ctx, url)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	switch args[0] {
	case "create-company":
		if len(positional) != 1 {
			return errors.New("usage: staffsync admin create-company NAME")
		}
		id, token, err := st.CreateCompany(ctx, positional[0], *adminName)
		if err != nil {
			return err
		}
		fmt.Printf("company %d %q created\nadmin token (shown once): %s\n", id, positional[0], token)
		return nil
	case "create-token":
		if *company <= 0 {
			return errors.New("usage: staffsync admin create-token --company ID")
		}
		token, err := st.CreateToken(ctx, *company, *adminName)
		if err != nil {
			return err
		}
		fmt.Printf("admin token for company %d (shown once): %s\n", *company, token)
		return nil
	}
	return errUsage
}
