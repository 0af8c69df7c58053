#!/usr/bin/env bash
# Installs the Debian packages staffsync's dev stack and tests need, if they are missing:
# PostgreSQL server binaries (initdb, pg_ctl) and OpenSSH (sshd, sftp) for the SFTP tests.
set -euo pipefail

missing=()
have_postgres() {
	command -v initdb >/dev/null 2>&1 && return 0
	compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null
}
have_postgres || missing+=(postgresql)
{ command -v sshd >/dev/null 2>&1 || [ -x /usr/sbin/sshd ]; } || missing+=(openssh-server)
command -v sftp >/dev/null 2>&1 || missing+=(openssh-client)

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
echo "installing Debian packages: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
	sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
