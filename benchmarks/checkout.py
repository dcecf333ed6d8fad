"""Buying under load: cart add, checkout quote and place-order with 16 and 64 concurrent buyers.

Starts Tridex as production does (``tridex serve``: Granian, PostgreSQL, Redis) on a seeded
catalog, then runs N buyer threads. Each buyer, over and over: adds a variant to a new guest
cart (``POST /api/v1/cart/lines``), asks for delivery options, tax and total
(``POST /api/v1/checkout/quote``) and places the order, cash on delivery
(``POST /api/v1/checkout/orders``: validates, writes the order, holds and sells the stock in one
transaction). Latencies are measured per step, in the client.

A second run per concurrency level is the oversell check: every buyer wants the same variant,
which has 100 units. It must end with exactly 100 orders for it, 0 units on hand, none held,
and every other attempt refused with 409 ``out_of_stock``.

    .venv/bin/python benchmarks/checkout.py --seconds 20

The buyers are Python threads on the same 2-core machine as the server, so the figures include
the client's own share of the CPU; they are upper bounds of what the server alone would show.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import statistics
import subprocess
import threading
import time

from load import OUT, TRIDEX, _env, _wait_ready, prepare  # type: ignore[import-not-found]

ADDRESS = {
    "full_name": "Somchai Jaidee",
    "phone": "081 234 5678",
    "country": "TH",
    "line1": "99/1 Sukhumvit Road",
    "subdistrict": "Khlong Toei Nuea",
    "district": "Watthana",
    "province": "TH-10",
    "postcode": "10110",
}
SETUP = """
from tridex.catalog.models import Variant
from tridex.inventory.models import Stock
from tridex.pricing.models import Price
from tridex.markets.selectors import market_default
m = market_default()
priced = Price.objects.filter(market=m, variant__is_active=True).values("variant_id")
sellable = Variant.objects.filter(pk__in=priced, product__is_published=True).order_by("pk")
ids = list(sellable.values_list("pk", flat=True)[:51])
Stock.objects.filter(variant_id__in=ids[:50]).update(quantity=1_000_000, reserved=0)
Stock.objects.filter(variant_id=ids[50]).update(quantity=0, reserved=0)
first = Stock.objects.filter(variant_id=ids[50]).order_by("pk").first()
Stock.objects.filter(pk=first.pk).update(quantity={limited})
print(",".join(map(str, ids)))
"""
CHECK = """
from tridex.inventory.models import Stock
from tridex.orders.models import OrderLine
from django.db.models import Sum
s = Stock.objects.filter(variant_id={vid}).aggregate(q=Sum("quantity"), r=Sum("reserved"))
sold = OrderLine.objects.filter(variant_id={vid}).aggregate(n=Sum("quantity"))["n"] or 0
orders = OrderLine.objects.filter(variant_id={vid}).values("order_id").distinct().count()
print(s["q"], s["r"], sold, orders)
"""


def _shell(code: str, env: dict[str, str]) -> str:
    command = [*TRIDEX, "shell", "--no-imports", "-c", code]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout


class Buyer(threading.Thread):
    def __init__(
        self, port: int, variants: list[int], deadline: float, stop_on_409: bool, offset: int = 0
    ):
        super().__init__(daemon=True)
        self.offset = offset  # buyers start on different products, as real shoppers do
        self.port, self.variants, self.deadline = port, variants, deadline
        self.stop_on_409 = stop_on_409
        self.timings: dict[str, list[float]] = {
            "cart add": [],
            "checkout quote": [],
            "place order": [],
        }
        self.statuses: dict[int, int] = {}
        self.out_of_stock = 0

    def _call(
        self, conn: http.client.HTTPConnection, step: str, path: str, body: dict, token: str | None
    ):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["X-Cart-Token"] = token
        started = time.perf_counter()
        conn.request("POST", path, json.dumps(body), headers)
        response = conn.getresponse()
        data = response.read()
        self.timings[step].append((time.perf_counter() - started) * 1000)
        self.statuses[response.status] = self.statuses.get(response.status, 0) + 1
        return response.status, json.loads(data) if data else {}

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        n = 0
        while time.perf_counter() < self.deadline:
            variant = self.variants[(self.offset + n) % len(self.variants)]
            n += 1
            status, cart = self._call(
                conn, "cart add", "/api/v1/cart/lines", {"variant_id": variant, "quantity": 1}, None
            )
            if status != 200:
                if status == 409 and self.stop_on_409:
                    self.out_of_stock += 1
                    return
                continue
            token = cart["token"]
            self._call(conn, "checkout quote", "/api/v1/checkout/quote", {"country": "TH"}, token)
            status, order = self._call(
                conn,
                "place order",
                "/api/v1/checkout/orders",
                {
                    "email": "buyer@example.com",
                    "shipping_address": ADDRESS,
                    "shipping_method": "standard",
                    "payment_method": "cod",
                },
                token,
            )
            if status == 409 and order.get("code") == "out_of_stock":
                self.out_of_stock += 1
                if self.stop_on_409:
                    return


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * p))], 1) if ordered else 0.0


def run_buyers(
    port: int, variants: list[int], buyers: int, seconds: float, stop_on_409: bool
) -> dict:
    deadline = time.perf_counter() + seconds
    threads = [Buyer(port, variants, deadline, stop_on_409, offset=i * 7) for i in range(buyers)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    result: dict = {"buyers": buyers, "seconds": round(elapsed, 1), "steps": {}}
    for step in ("cart add", "checkout quote", "place order"):
        values = [v for t in threads for v in t.timings[step]]
        result["steps"][step] = {
            "count": len(values),
            "rps": round(len(values) / elapsed, 1),
            "p50_ms": percentile(values, 0.50),
            "p95_ms": percentile(values, 0.95),
            "p99_ms": percentile(values, 0.99),
            "mean_ms": round(statistics.fmean(values), 1) if values else 0.0,
        }
    statuses: dict[int, int] = {}
    for thread in threads:
        for code, count in thread.statuses.items():
            statuses[code] = statuses.get(code, 0) + count
    result["statuses"] = statuses
    result["out_of_stock"] = sum(t.out_of_stock for t in threads)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--buyers", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--limited", type=int, default=100)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--threads", type=int, default=2, help="threads per web worker")
    parser.add_argument("--port", type=int, default=8124)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/5")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    python = platform.python_version()
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {python}")
    prepare(args.scale, args)
    env = _env(args.scale, args, page_cache=True)
    results = []
    for buyers in args.buyers:
        ids = [int(v) for v in _shell(SETUP.format(limited=args.limited), env).strip().split(",")]
        plenty, limited = ids[:50], ids[50]
        # Earlier runs sold this variant too: count only what this run sells.
        _q, _r, sold_before, orders_before = _shell(CHECK.format(vid=limited), env).split()
        server = subprocess.Popen(
            [
                *TRIDEX,
                "serve",
                *("--workers", str(args.workers), "--threads", str(args.threads)),
                *("--port", str(args.port)),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_ready(f"http://127.0.0.1:{args.port}")
            run_buyers(args.port, plenty, buyers, 3, stop_on_409=False)  # warm-up
            load = run_buyers(args.port, plenty, buyers, args.seconds, stop_on_409=False)
            rush = run_buyers(args.port, [limited], buyers, 60, stop_on_409=True)
        finally:
            server.terminate()
            server.wait(timeout=30)
        on_hand, held, sold_after, orders_after = _shell(CHECK.format(vid=limited), env).split()
        sold = int(sold_after) - int(sold_before)
        rush["check"] = {
            "units": args.limited,
            "on_hand_after": int(on_hand),
            "held_after": int(held),
            "units_sold": sold,
            "orders": int(orders_after) - int(orders_before),
            "oversold": max(0, sold - args.limited, -int(on_hand)),
        }
        results.append({"load": load, "rush": rush})
        print(json.dumps(results[-1], indent=1), flush=True)
    (OUT / "checkout.json").write_text(json.dumps(results, indent=2))
    for entry in results:
        load = entry["load"]
        print(f"\n### {load['buyers']} concurrent buyers, {load['seconds']} s\n")
        print("| step | req/s | p50 ms | p95 ms | p99 ms |\n|---|---:|---:|---:|---:|")
        for step, row in load["steps"].items():
            print(
                f"| {step} | {row['rps']} | {row['p50_ms']} | {row['p95_ms']} | {row['p99_ms']} |"
            )
        print(f"\nstatuses: {load['statuses']}; rush: {entry['rush']['check']}")


if __name__ == "__main__":
    main()
