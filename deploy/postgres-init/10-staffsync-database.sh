#!/bin/sh
# Creates staffsync's own role and database next to Temporal's. The postgres image runs this
# once, when the data volume is first initialised; after changing STAFFSYNC_DB_PASSWORD on an
# existing volume, change the role's password with ALTER ROLE instead.
set -eu

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
	--set=staffsync_password="${STAFFSYNC_DB_PASSWORD:?STAFFSYNC_DB_PASSWORD is not set}" <<'SQL'
CREATE ROLE staffsync LOGIN PASSWORD :'staffsync_password';
CREATE DATABASE staffsync OWNER staffsync ENCODING 'UTF8';
SQL
