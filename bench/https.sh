#!/usr/bin/env bash
# Fetch of a ~100 MB signed gzip ACI from a local HTTPS server (127.0.0.1, openssl-made certificate)
#   `rkt fetch https://localhost:PORT/big.aci` (verified, fresh data dir each run)
#   vs `curl -s URL | gzip -dc | sha512sum` in the same run, from the same server.
#   and, to separate the network from the store, `rkt fetch` of the same signed file from disk.
# Each twice: into a fresh data dir (no journal agent yet, so the command's own C1-only JVM fetches),
# and into a data dir whose agent is up (the agent fetches: thin fetch; the image removed, untimed,
# before each run). Prints medians in ms and the ratios (target <= 1.3). Run as root after building.
# Usage: bench/https.sh [RUNS]   (default 5)
set -euo pipefail
root=$(dirname "$(dirname "$(readlink -f "$0")")")
rkt=$root/bin/rkt
runs=${1:-5}
work=$(mktemp -d /tmp/rktj-bench-https.XXXXXX)
server=
ms() { echo $(( $(date +%s%N) / 1000000 )); }
med() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# an agent still starting may recreate part of its data dir while it goes: try again
wipe() { for _ in $(seq 50); do rm -rf "$1" 2>/dev/null && [ ! -e "$1" ] && return 0; sleep 0.2; done; }
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null || true
    wipe "$work"   # journal agents of the data dirs exit when their directory goes
}
trap cleanup EXIT

# the image: ~100 MB that gzip cannot shrink much, signed by a throwaway key
mkdir -p "$work/img/rootfs" "$work/www" "$work/gpg"
chmod 700 "$work/gpg"
head -c 100000000 /dev/urandom > "$work/img/rootfs/blob"
printf '{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.test/big","labels":[{"name":"os","value":"linux"},{"name":"arch","value":"amd64"}]}' > "$work/img/manifest"
tar -C "$work/img" -czf "$work/www/big.aci" manifest rootfs
export GNUPGHOME=$work/gpg
gpg --batch --quiet --passphrase '' --quick-gen-key "Bench <bench@example.test>" ed25519 sign never 2>/dev/null
gpg --batch --quiet --armor --detach-sign -o "$work/www/big.aci.asc" "$work/www/big.aci"
gpg --batch --quiet --armor --export > "$work/key.asc"

# the server: Python's HTTPS server over the openssl-made certificate
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" \
    -days 1 -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 2>/dev/null
keytool -importcert -noprompt -alias bench -file "$work/cert.pem" -keystore "$work/trust.p12" -storetype PKCS12 \
    -storepass changeit >/dev/null 2>&1
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd "$work/www" && exec python3 -c '
import http.server, ssl, sys
srv = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), http.server.SimpleHTTPRequestHandler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(sys.argv[2], sys.argv[3])
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()' "$port" "$work/cert.pem" "$work/key.pem" 2>/dev/null) &
server=$!
url=https://localhost:$port/big.aci
for _ in $(seq 50); do curl -s --cacert "$work/cert.pem" -o /dev/null "$url.asc" && break; sleep 0.1; done

export RKTJ_JAVA_OPTS="-Djavax.net.ssl.trustStore=$work/trust.p12 -Djavax.net.ssl.trustStorePassword=changeit -Djavax.net.ssl.trustStoreType=PKCS12"
conf="--local-config=$work/etc --system-config=$work/lib"
"$rkt" --dir="$work/data0" $conf trust --prefix=example.test/big --skip-fingerprint-review "$work/key.asc" >/dev/null
wipe "$work/data0"

# the agent-up data dir: its agent started and warmed by one fetch of each kind, untimed
warm=$work/warm
"$rkt" --dir="$warm" $conf list >/dev/null
for _ in $(seq 100); do [ -S "$warm/journal/agent.sock" ] && break; sleep 0.1; done
"$rkt" --dir="$warm" $conf fetch "$url" >/dev/null 2>&1
"$rkt" --dir="$warm" image rm example.test/big >/dev/null 2>&1
"$rkt" --dir="$warm" $conf fetch "$work/www/big.aci" >/dev/null 2>&1

echo "load before the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
rkt_t=(); curl_t=(); file_t=(); warm_t=(); warmfile_t=()
for ((i = 0; i < runs; i++)); do
    # the same image from the local file: what the store's single pass costs without the network
    s=$(ms); "$rkt" --dir="$work/file$i" $conf fetch "$work/www/big.aci" >/dev/null 2>&1; file_t+=($(( $(ms) - s )))
    wipe "$work/file$i"
    s=$(ms); "$rkt" --dir="$work/data$i" $conf fetch "$url" >/dev/null 2>&1; rkt_t+=($(( $(ms) - s )))
    wipe "$work/data$i"
    s=$(ms); curl -s --cacert "$work/cert.pem" "$url" | gzip -dc | sha512sum >/dev/null; curl_t+=($(( $(ms) - s )))
    "$rkt" --dir="$warm" image rm example.test/big >/dev/null 2>&1
    s=$(ms); "$rkt" --dir="$warm" $conf fetch "$url" >/dev/null 2>&1; warm_t+=($(( $(ms) - s )))
    "$rkt" --dir="$warm" image rm example.test/big >/dev/null 2>&1
    s=$(ms); "$rkt" --dir="$warm" $conf fetch "$work/www/big.aci" >/dev/null 2>&1; warmfile_t+=($(( $(ms) - s )))
done
r=$(printf '%s\n' "${rkt_t[@]}" | med)
c=$(printf '%s\n' "${curl_t[@]}" | med)
f=$(printf '%s\n' "${file_t[@]}" | med)
w=$(printf '%s\n' "${warm_t[@]}" | med)
wf=$(printf '%s\n' "${warmfile_t[@]}" | med)
echo "archive: $(stat -c %s "$work/www/big.aci") bytes gzip, signed"
echo "curl | gzip -dc | sha512sum:                  ${c} ms   (runs: ${curl_t[*]})"
echo "rkt fetch https, agent up (the agent fetches): ${w} ms   (runs: ${warm_t[*]})"
echo "rkt fetch FILE, agent up:                      ${wf} ms   (runs: ${warmfile_t[*]})"
echo "rkt fetch https, fresh data dir (own JVM):     ${r} ms   (runs: ${rkt_t[*]})"
echo "rkt fetch FILE, fresh data dir (own JVM):      ${f} ms   (runs: ${file_t[*]})"
awk -v w="$w" -v r="$r" -v c="$c" 'BEGIN { printf "ratio, agent up: %.2f; fresh data dir: %.2f (target <= 1.30)\n", w / c, r / c }'
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
