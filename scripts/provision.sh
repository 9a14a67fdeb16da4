#!/usr/bin/env bash
# Installs and starts what the tests talk to: the Python oracles (Debian's oslo packages),
# RabbitMQ, PostgreSQL and valgrind. Idempotent and quick when everything is already there.
set -euo pipefail

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then $SUDO apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() {
  for _ in $(seq 1 90); do port_open "$1" && return 0; sleep 1; done
  echo "provision: $2 did not start listening on port $1" >&2
  return 1
}

if ! /usr/bin/python3 -c 'import oslo_versionedobjects, oslo_messaging' 2>/dev/null; then
  echo "provision: installing python3-oslo.versionedobjects and python3-oslo.messaging"
  apt_install python3-oslo.versionedobjects python3-oslo.messaging
fi

# The Python volume host of the process fleet (packages/demo/python) writes the services table in PostgreSQL.
if ! /usr/bin/python3 -c 'import psycopg2' 2>/dev/null; then
  echo "provision: installing python3-psycopg2"
  apt_install python3-psycopg2
fi

# `pnpm bench:instructions` counts instructions with callgrind.
command -v valgrind >/dev/null || { echo "provision: installing valgrind"; apt_install valgrind; }

# Python Cinder, the oracle of the Cinder port (packages/objects/test/interop-cinder.test.ts); about 20 s.
if ! /usr/bin/python3 -c 'import cinder.objects' 2>/dev/null; then
  echo "provision: installing python3-cinder"
  apt_install python3-cinder
fi

if ! port_open 5672; then
  command -v rabbitmq-server >/dev/null || { echo "provision: installing rabbitmq-server"; apt_install rabbitmq-server; }
  echo "provision: starting RabbitMQ"
  $SUDO rabbitmq-server -detached >/dev/null 2>&1 || true
  wait_port 5672 RabbitMQ
fi

if ! port_open 5432; then
  ls /etc/postgresql >/dev/null 2>&1 || { echo "provision: installing postgresql"; apt_install postgresql; }
  echo "provision: starting PostgreSQL"
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  wait_port 5432 PostgreSQL
fi
