#!/usr/bin/env bash
# Regenerates the TEST-ONLY certificates of this directory (see README.md). Needs openssl 3.
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
days=36500

ca() { # name subject
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$work/$1.key" \
    -out "$1.pem" -days $days -subj "/CN=$2" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}

leaf() { # name ca san [startdate enddate]
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$1.key" \
    -out "$work/$1.csr" -subj "/CN=$1" 2>/dev/null
  printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\n' "$3" > "$work/$1.ext"
  if [ $# -ge 5 ]; then
    # openssl 3.0's x509 -req cannot back-date: use 'openssl ca' for the expired certificate.
    mkdir -p "$work/db"; : > "$work/db/index.txt"; echo 01 > "$work/db/serial"
    cat > "$work/ca.cnf" <<CNF
[ca]
default_ca=d
[d]
database=$work/db/index.txt
new_certs_dir=$work/db
serial=$work/db/serial
default_md=sha256
policy=p
[p]
commonName=supplied
CNF
    openssl ca -batch -notext -config "$work/ca.cnf" -cert "$2.pem" -keyfile "$work/$2.key" \
      -in "$work/$1.csr" -out "$1.pem" -startdate "$4" -enddate "$5" -extfile "$work/$1.ext" 2>/dev/null
  else
    openssl x509 -req -in "$work/$1.csr" -CA "$2.pem" -CAkey "$work/$2.key" -CAcreateserial \
      -out "$1.pem" -days $days -sha256 -extfile "$work/$1.ext" 2>/dev/null
  fi
}

ca ca "netpoll test CA"
ca rogue-ca "netpoll untrusted test CA"
leaf localhost ca "DNS:localhost,IP:127.0.0.1"
leaf other-name ca "DNS:other.invalid"
leaf expired ca "DNS:localhost,IP:127.0.0.1" 20200101000000Z 20200102000000Z
leaf untrusted rogue-ca "DNS:localhost,IP:127.0.0.1"
leaf client ca "DNS:client.invalid"
rm -f ./*.srl
