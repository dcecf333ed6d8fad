#!/usr/bin/env bash
# Lighthouse mobile audits (performance, accessibility, best practices, SEO) of the storefront
# pages, against a running Tridex (default: the demo at http://127.0.0.1:8000).
#   benchmarks/lighthouse/audit.sh [base-url]
# Uses Debian's Chromium; prints one line of scores per page and keeps the JSON reports in
# benchmarks/out/lighthouse/.
set -euo pipefail
cd "$(dirname "$0")"
BASE=${1:-http://127.0.0.1:8000}
OUT=../out/lighthouse
mkdir -p "$OUT"
[ -d node_modules/lighthouse ] || npm ci --no-audit --no-fund --loglevel=error
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}

product=$(curl -fsS "$BASE/api/v1/products?lang=th&page_size=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["slug"])')
category=$(curl -fsS "$BASE/api/v1/categories?lang=th" | python3 -c 'import json,sys; d=json.load(sys.stdin); d=d["items"] if isinstance(d,dict) else d; print(d[0]["slug"])')
enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }

pages=(
    "home|$BASE/th/"
    "category|$BASE/th/c/$(enc "$category")/"
    "product|$BASE/th/p/$(enc "$product")/"
    "search|$BASE/th/search/?q=$(enc 'ผ้าคลุมโซฟา กันน้ำ')"
    "home-en|$BASE/en/"
)
printf '| page | performance | accessibility | best practices | SEO |\n|---|---:|---:|---:|---:|\n'
for entry in "${pages[@]}"; do
    name=${entry%%|*}
    url=${entry#*|}
    # Lighthouse now and then fails to record its trace (NO_NAVSTART); one retry settles it.
    for attempt in 1 2; do
        node_modules/.bin/lighthouse "$url" --quiet --form-factor=mobile \
            --only-categories=performance,accessibility,best-practices,seo \
            --chrome-flags="--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-quic --no-first-run" \
            --output=json --output-path="$OUT/$name.json" >/dev/null 2>&1 || true
        python3 -c 'import json,sys; sys.exit("runtimeError" in json.load(open(sys.argv[1])))' "$OUT/$name.json" && break
    done
    python3 - "$OUT/$name.json" "$name" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
c = report["categories"]
score = lambda k: "error" if c[k]["score"] is None else round(c[k]["score"] * 100)
print(f"| {sys.argv[2]} | {score('performance')} | {score('accessibility')} | {score('best-practices')} | {score('seo')} |")
PY
done
