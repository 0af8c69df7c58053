package devstack

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// maxIdentifierLength is PostgreSQL's NAMEDATALEN-1; longer names are
// silently truncated by the server, which would return the wrong URL.
const maxIdentifierLength = 63

// CreateDatabase creates the database name on the server that serverURL
// points at (any database on it the user may connect to), unless it exists,
// and returns serverURL with its database replaced by name.
func CreateDatabase(ctx context.Context, serverURL, name string) (string, error) {
	databaseURL, err := DatabaseURL(serverURL, name)
	if err != nil {
		return "", err
	}
	conn, err := pgx.Connect(ctx, serverURL)
	if err != nil {
		return "", fmt.Errorf("create database %s: connect: %w", name, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", fmt.Errorf("create database %s: look it up: %w", name, err)
	}
	if exists {
		return databaseURL, nil
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		var pgErr *pgconn.PgError
		// Another process created it between our look-up and CREATE.
		if errors.As(err, &pgErr) && pgErr.Code == "42P04" {
			return databaseURL, nil
		}
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	return databaseURL, nil
}

// DropDatabase drops the database name on the server that serverURL points
// at, disconnecting its remaining sessions first. A missing database is not
// an error.
func DropDatabase(ctx context.Context, serverURL, name string) error {
	if err := checkDatabaseName(name); err != nil {
		return err
	}
	conn, err := pgx.Connect(ctx, serverURL)
	if err != nil {
		return fmt.Errorf("drop database %s: connect: %w", name, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}

// DatabaseURL returns serverURL with its database replaced by name, keeping
// the user, host and query parameters.
func DatabaseURL(serverURL, name string) (string, error) {
	if err := checkDatabaseName(name); err != nil {
		return "", err
	}
	u, err := url.Parse(serverURL)
	if err != nil {
		return "", fmt.Errorf("parse PostgreSQL URL: %w", err)
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return "", fmt.Errorf("PostgreSQL URL must start with postgres:// (got scheme %q)", u.Scheme)
	}
	u.Path = "/" + name
	u.RawPath = ""
	return u.String(), nil
}

func checkDatabaseName(name string) error {
	if name == "" || len(name) > maxIdentifierLength {
		return fmt.Errorf("database name %q must be 1 to %d bytes long", name, maxIdentifierLength)
	}
	return nil
}
