"""Load benchmark: the storefront and API under 32 concurrent clients, at 10k and 100k products.

Starts Tridex as production does (``tridex serve``: Granian, DEBUG off, PostgreSQL, Redis),
loads a synthetic catalog with ``tridex seed --scale N`` into its own database, and measures
requests/s and p50/p95/p99 latency for each page beside /healthz, a plain Django view on the
same server, as the ceiling. Each scale runs twice: with the page cache off, so every request
renders (the cost of a first visit), and with it on, as production runs.

    .venv/bin/python benchmarks/load.py --scales 10000 100000 --seconds 15

Needs PostgreSQL and Redis (defaults: 127.0.0.1, user postgres) and wrk (``apt install wrk``),
a C load generator that leaves the cores to the server. Results are printed as Markdown tables
and written to benchmarks/out/load-<scale>.json; copy them into benchmarks/RESULTS.md with the
machine they ran on.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
WRK_SCRIPT = ROOT / "benchmarks" / "wrk_report.lua"
TRIDEX = [sys.executable, "-m", "tridex.cli"]


def _env(scale: int, args: argparse.Namespace, page_cache: bool = True) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"{args.pg}/tridex_bench_{scale}",
        REDIS_URL=args.redis,
        DEBUG="false",
        TRIDEX_HTTPS="0",  # plain HTTP on loopback; everything else is production settings
        ALLOWED_HOSTS="127.0.0.1,localhost",
        TRIDEX_VAR_DIR=str(OUT / f"var-{scale}"),
        CACHE_KEY_PREFIX=f"bench{scale}",
        LOG_LEVEL="ERROR",
        PAGE_CACHE_SECONDS="300" if page_cache else "0",
        # wrk's 32 connections all come from 127.0.0.1, which the search rate limit (60 a minute
        # per address) rightly refuses with 429 after the first second; the benchmark measures
        # the pages, so that one limit is off here.
        TRIDEX_RATE_LIMITS='{"search": {"ip": "", "user": ""}}',
    )
    return env


def _psql(sql: str, args: argparse.Namespace) -> str:
    return subprocess.run(
        ["psql", f"{args.pg}/postgres", "-tAc", sql], capture_output=True, text=True, check=True
    ).stdout.strip()


def prepare(scale: int, args: argparse.Namespace) -> None:
    env = _env(scale, args)
    db = f"tridex_bench_{scale}"
    if not _psql(f"SELECT 1 FROM pg_database WHERE datname = '{db}'", args):
        _psql(f"CREATE DATABASE {db}", args)
    subprocess.run([*TRIDEX, "migrate", "--noinput", "-v", "0"], env=env, check=True)
    subprocess.run([*TRIDEX, "collectstatic", "--noinput", "-v", "0"], env=env, check=True)
    count = subprocess.run(
        [
            *TRIDEX,
            "shell",
            "--no-imports",
            "-c",
            "from tridex.catalog.models import Product; print(Product.objects.count())",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if int(count or 0) < scale:
        started = time.perf_counter()
        subprocess.run([*TRIDEX, "seed", "--scale", str(scale)], env=env, check=True)
        print(f"seeded {scale} products in {time.perf_counter() - started:.0f} s", flush=True)


def _get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def _wait_ready(base: str) -> None:
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{base}/readyz", timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("server did not become ready")


def scenarios(base: str) -> dict[str, list[str]]:
    """URLs per scenario, discovered from the API so they exist in any seeded catalog."""
    categories = _get_json(f"{base}/api/v1/categories?lang=en")
    cats = categories["items"] if isinstance(categories, dict) else categories
    category_urls = [f"{base}/en/c/{c['slug']}/" for c in cats if c.get("slug")][:10]
    listing = _get_json(f"{base}/api/v1/products?lang=en&page_size=50&sort=newest")
    product_urls = [f"{base}/en/p/{p['slug']}/" for p in listing["items"]]
    queries = ["sofa cover", "waterproof", "velvet cushion", "ผ้าคลุมโซฟา", "stretch grey"]
    return {
        "ceiling: /healthz (plain Django view)": [f"{base}/healthz"],
        "home": [f"{base}/en/", f"{base}/th/"],
        "category listing": category_urls
        + [f"{u}?sort=price_asc&page=2" for u in category_urls[:5]],
        "product page": product_urls,
        "search": [f"{base}/en/search/?q={urllib.request.quote(q)}" for q in queries],
        "API product list": [
            f"{base}/api/v1/products?page_size=24&page={page}" for page in range(1, 6)
        ],
    }


def wrk(name: str, urls: list[str], args: argparse.Namespace) -> dict:
    """Run wrk against ``urls`` in rotation: a short warm-up, then the measured run."""
    paths = OUT / "paths.txt"
    paths.write_text("\n".join(urlsplit(u)._replace(scheme="", netloc="").geturl() for u in urls))
    base = "{0.scheme}://{0.netloc}".format(urlsplit(urls[0]))

    def run(seconds: float) -> str:
        command = ["wrk", "-t2", f"-c{args.concurrency}", f"-d{seconds:.0f}s", "-s"]
        command += [str(WRK_SCRIPT), base, "--", str(paths)]
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout

    for url in urls:  # steady state: each page visited once (the rendered pass shows first visits)
        with urllib.request.urlopen(url, timeout=60) as response:
            response.read()
    run(2)  # warm-up: connections, caches, the vocabulary
    out = run(args.seconds)
    result = json.loads(out.strip().splitlines()[-1])
    result["name"] = name
    result["rps"] = round(result["requests"] / result["seconds"], 1)
    result["errors"] = result["non_2xx"] + result["socket_errors"]
    return result


def measure(scale: int, args: argparse.Namespace, *, page_cache: bool) -> list[dict]:
    env = _env(scale, args, page_cache)
    base = f"http://127.0.0.1:{args.port}"
    subprocess.run(["redis-cli", "-u", args.redis, "FLUSHDB"], capture_output=True, check=True)
    server = subprocess.Popen(
        [*TRIDEX, "serve", "--workers", str(args.workers), "--port", str(args.port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_ready(base)
        rows = []
        for name, urls in scenarios(base).items():
            row = wrk(name, urls, args)
            rows.append(row)
            print(json.dumps(row, ensure_ascii=False), flush=True)
        return rows
    finally:
        server.terminate()
        server.wait(timeout=30)


def table(scale: int, rows: list[dict], args: argparse.Namespace, title: str) -> str:
    lines = [
        f"### {scale:,} products, {title} — {args.concurrency} concurrent clients, "
        f"{args.workers} Granian workers, {args.seconds:.0f} s per row",
        "",
        "| scenario | req/s | p50 ms | p95 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    lines += [
        "| {name} | {rps} | {p50_ms} | {p95_ms} | {p99_ms} | {errors} |".format(**r) for r in rows
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--port", type=int, default=8123)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/5")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    machine = f"{platform.platform()}, {os.cpu_count()} cores"
    print(f"machine: {machine}, Python {platform.python_version()}")
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt install wrk")
    for scale in args.scales:
        prepare(scale, args)
        results = {}
        for title, page_cache in (("every request rendered", False), ("page cache on", True)):
            results[title] = measure(scale, args, page_cache=page_cache)
        (OUT / f"load-{scale}.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
        for title, rows in results.items():
            print("\n" + table(scale, rows, args, title) + "\n", flush=True)


if __name__ == "__main__":
    main()
