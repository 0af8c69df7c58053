// Package devstack starts the throwaway PostgreSQL and Temporal servers that
// `staffsync dev`, `make bench` and the tests (through package testenv) run
// against. Docker is not available on the development machines, so both are
// started from local binaries: PostgreSQL's initdb/pg_ctl and the Temporal CLI
// built by `make tools` into <repo>/.bin/temporal.
//
// When running as root (as on the project machines), PostgreSQL refuses to
// start, so its commands run as the `postgres` system user if it exists, or as
// a `staffsync` system user created on first use.
package devstack
