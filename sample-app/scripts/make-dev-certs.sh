#!/usr/bin/env bash
# Makes the sample's DEVELOPMENT-ONLY TLS material (kv-tls, port 6390): a throw-away CA, a server
# certificate for localhost / 127.0.0.1 / ::1, a client certificate that CA signed (mutual TLS) and
# a "stranger" client certificate no one trusts (the refusal test). The private keys are public
# (they are in this repository): never use any of this outside a developer's machine or a test.
#
#   sample-app/scripts/make-dev-certs.sh     # rewrites the files below (10 years of validity)
#
# Writes src/main/resources/dev-tls/{ca.crt,server.crt,server.key} and
# src/test/resources/dev-tls/{client.crt,client.key,stranger.crt,stranger.key}.
set -euo pipefail
cd "$(dirname "$0")/.."
main=src/main/resources/dev-tls
test=src/test/resources/dev-tls
mkdir -p "$main" "$test"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
days=3650

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# The CA.
key "$work/ca.key"
openssl req -x509 -new -key "$work/ca.key" -days "$days" -sha256 \
    -subj "/O=netpoll-java sample/CN=netpoll sample DEVELOPMENT-ONLY CA" \
    -addext "basicConstraints=critical,CA:true" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$main/ca.crt"

# The server: localhost and the loopback addresses.
key "$main/server.key"
openssl req -new -key "$main/server.key" -subj "/O=netpoll-java sample/CN=localhost (DEVELOPMENT ONLY)" \
    -out "$work/server.csr"
printf '%s\n' "basicConstraints=CA:false" "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" \
    "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" > "$work/server.ext"
openssl x509 -req -in "$work/server.csr" -CA "$main/ca.crt" -CAkey "$work/ca.key" -set_serial "0x$(openssl rand -hex 8)" \
    -days "$days" -sha256 -extfile "$work/server.ext" -out "$main/server.crt" 2>/dev/null

# A client the CA signed (mutual TLS).
key "$test/client.key"
openssl req -new -key "$test/client.key" -subj "/O=netpoll-java sample/CN=sample client (DEVELOPMENT ONLY)" \
    -out "$work/client.csr"
printf '%s\n' "basicConstraints=CA:false" "keyUsage=critical,digitalSignature" "extendedKeyUsage=clientAuth" \
    > "$work/client.ext"
openssl x509 -req -in "$work/client.csr" -CA "$main/ca.crt" -CAkey "$work/ca.key" -set_serial "0x$(openssl rand -hex 8)" \
    -days "$days" -sha256 -extfile "$work/client.ext" -out "$test/client.crt" 2>/dev/null

# A client no one trusts: self-signed.
key "$test/stranger.key"
openssl req -x509 -new -key "$test/stranger.key" -days "$days" -sha256 \
    -subj "/O=elsewhere/CN=stranger (DEVELOPMENT ONLY)" -out "$test/stranger.crt"

# The CA's key is not kept: nothing else can be signed with it.
echo "wrote $main/{ca.crt,server.crt,server.key} and $test/{client,stranger}.{crt,key} (development only)"
