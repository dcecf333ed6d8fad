"""Product import and export: happy paths in CSV and XLSX, a round trip, all-or-nothing on bad
rows with a report naming each row and column, garbage files, permissions."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from tridex.catalog.models import Category, Option, OptionValue, Product, ProductType, Variant
from tridex.dashboard import importexport
from tridex.dashboard.services import products_export, products_import
from tridex.inventory.models import Stock, StockMovement
from tridex.pricing.models import Price, ProductPriceRange

HEADER = [
    "product_key",
    "category",
    "product_type",
    "name_th",
    "name_en",
    "slug_en",
    "is_published",
    "sku",
    "barcode",
    "option:colour",
    "weight_grams",
    "price:th",
    "compare_at:th",
    "cost:th",
    "price:intl",
    "stock:bkk",
]


@pytest.fixture
def shop(market_th, market_intl, warehouse):
    colour = Option.objects.create(code="colour", name_en="Colour", name_th="สี")
    for code in ("grey", "navy"):
        OptionValue.objects.create(option=colour, code=code, name_en=code.title(), name_th=code)
    ptype = ProductType.objects.create(name_en="Sofa cover", name_th="ผ้าคลุมโซฟา")
    ptype.options.add(colour)
    Category.objects.create(
        name_en="Sofa covers", name_th="ผ้าคลุมโซฟา", slug_en="sofa-covers", slug_th="ผ้าคลุมโซฟา"
    )


def _row(**cells):
    base = {
        "product_key": "stretch-cover",
        "category": "sofa-covers",
        "product_type": "Sofa cover",
        "name_th": "ผ้าคลุมโซฟายืด",
        "name_en": "Stretch cover",
        "slug_en": "stretch-cover",
        "is_published": "true",
        "sku": "STR-GREY",
        "barcode": "",
        "option:colour": "grey",
        "weight_grams": "800",
        "price:th": "1290",
        "compare_at:th": "1590",
        "cost:th": "400",
        "price:intl": "",
        "stock:bkk": "7",
    }
    base.update(cells)
    return [base[name] for name in HEADER]


def _csv(rows, header=HEADER):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return io.BytesIO(buffer.getvalue().encode("utf-8"))


def _xlsx(rows, header=HEADER):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


GOOD_ROWS = [
    _row(),
    _row(
        sku="STR-NAVY",
        **{
            "option:colour": "navy",
            "price:th": "1390",
            "compare_at:th": "",
            "price:intl": "39.99",
            "stock:bkk": "0",
        },
    ),
]


def _assert_good_import(report):
    assert report.ok, report.errors
    product = Product.objects.get(slug_en="stretch-cover")
    assert (product.name_th, product.name_en) == ("ผ้าคลุมโซฟายืด", "Stretch cover")
    grey, navy = Variant.objects.get(sku="STR-GREY"), Variant.objects.get(sku="STR-NAVY")
    assert grey.product == navy.product == product
    assert [v.code for v in navy.option_values.all()] == ["navy"]
    assert grey.weight_grams == 800
    price = Price.objects.get(variant=grey, market__code="th")
    assert (price.amount, price.compare_at_amount, price.cost_amount) == (
        Decimal("1290"),
        Decimal("1590"),
        Decimal("400"),
    )
    assert Price.objects.get(variant=navy, market__code="intl").amount == Decimal("39.99")
    assert Stock.objects.get(variant=grey).quantity == 7
    assert StockMovement.objects.get(stock__variant=grey).reason == "imported"
    th_range = ProductPriceRange.objects.get(product=product, market__code="th")
    assert (th_range.min_amount, th_range.max_amount) == (Decimal("1290"), Decimal("1390"))
    assert (report.products_created, report.variants_created) == (1, 2)


def test_csv_import_creates_products_variants_prices_and_stock(
    shop, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        report = products_import(file=_csv(GOOD_ROWS), name="products.csv")
    _assert_good_import(report)
    assert callbacks  # events (catalog.product_changed among them) are sent after commit


def test_xlsx_import_creates_the_same(shop):
    _assert_good_import(products_import(file=_xlsx(GOOD_ROWS), name="products.xlsx"))


def test_reimport_updates_by_sku_without_duplicates(shop):
    products_import(file=_csv(GOOD_ROWS), name="p.csv")
    rows = [_row(**{"price:th": "1190", "compare_at:th": "", "name_en": "Stretch cover v2"})]
    report = products_import(file=_csv(rows), name="p.csv")
    assert report.ok, report.errors
    assert Product.objects.count() == 1 and Variant.objects.count() == 2
    assert Product.objects.get().name_en == "Stretch cover v2"
    price = Price.objects.get(variant__sku="STR-GREY", market__code="th")
    assert (price.amount, price.compare_at_amount) == (Decimal("1190"), None)
    assert (report.products_updated, report.variants_created) == (1, 0)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_round_trips(make_product, market_intl, fmt, tmp_path):
    make_product(name_en="Velvet cover", colours=("grey", "navy"), price="2490", stock=3)
    make_product(name_en="Linen cover", colours=("grey",), price="1990", stock=0)
    path = tmp_path / f"products.{fmt}"
    call_command("export_products", str(path))
    before = _snapshot()
    Price.objects.filter(variant__sku="SKU-1-grey").update(amount=Decimal("1"))
    Stock.objects.filter(variant__sku="SKU-2-grey").update(quantity=99)
    Product.objects.filter(slug_en="velvet-cover-1").update(name_th="เปลี่ยน")
    call_command("import_products", str(path))
    assert _snapshot() == before
    with path.open("rb") as handle:  # importing the same file again changes nothing
        report = products_import(file=handle, name=path.name)
    assert report.ok and report.prices_set == report.stock_set == report.products_updated == 0


def _snapshot():
    products = sorted(
        Product.objects.values_list(
            "slug_en",
            "slug_th",
            "name_th",
            "name_en",
            "category_id",
            "product_type_id",
            "is_published",
        )
    )
    variants = sorted(
        (v.sku, v.product.slug_en, tuple(sorted(o.code for o in v.option_values.all())))
        for v in Variant.objects.select_related("product").prefetch_related("option_values")
    )
    prices = sorted(
        Price.objects.values_list(
            "variant__sku", "market__code", "amount", "compare_at_amount", "cost_amount"
        )
    )
    stock = sorted(Stock.objects.values_list("variant__sku", "warehouse__code", "quantity"))
    return products, variants, prices, stock


def test_export_header_matches_what_import_reads(make_product, market_intl):
    make_product()
    rows = list(importexport.export_rows())
    assert rows[0][:3] == ["product_key", "category", "product_type"]
    assert {"option:colour", "price:th", "compare_at:intl", "cost:th", "stock:bkk"} <= set(rows[0])
    assert len(rows) == 2


def test_a_file_with_bad_rows_imports_nothing_and_names_each_row_and_column(shop):
    rows = [
        _row(),  # row 2: good
        _row(sku="B-1", category="no-such-category"),  # row 3
        _row(sku="B-2", product_key="other", name_th="", name_en=""),  # row 4: no name
        _row(sku="B-3", weight_grams="heavy"),  # row 5
        _row(sku="B-4", **{"stock:bkk": "-3"}),  # row 6
        _row(sku="STR-GREY"),  # row 7: duplicate of row 2
        _row(sku="B-5", **{"option:colour": "purple"}),  # row 8
        _row(sku="B-6", **{"compare_at:th": "1000"}),  # row 9: not above price
        _row(sku="B-7", **{"price:th": "12,90.0"}),  # row 10
    ]
    report = products_import(file=_csv(rows), name="bad.csv")
    assert not report.ok
    found = {(e.row, e.field) for e in report.errors}
    assert {
        (3, "category"),
        (4, "name_th"),
        (5, "weight_grams"),
        (6, "stock:bkk"),
        (7, "sku"),
        (8, "option:colour"),
        (9, "compare_at:th"),
        (10, "price:th"),
    } <= found
    assert all(e.message for e in report.errors)
    assert Product.objects.count() == Variant.objects.count() == Price.objects.count() == 0
    assert not StockMovement.objects.exists()


def test_unknown_market_and_warehouse_columns_are_reported(shop):
    header = [*HEADER, "price:mars", "stock:nowhere", "colour"]
    report = products_import(file=_csv([[*_row(), "1", "1", "x"]], header=header), name="x.csv")
    fields = {e.field for e in report.errors}
    assert {"price:mars", "stock:nowhere", "colour"} <= fields
    assert all(e.row == 1 for e in report.errors)
    assert not Product.objects.exists()


def test_missing_required_columns_are_reported(shop):
    report = products_import(file=_csv([["x"]], header=["name_en"]), name="x.csv")
    assert {(1, "product_key"), (1, "sku")} <= {(e.row, e.field) for e in report.errors}


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"\x00\x01\x02garbage\xff\xfe" * 50, "products.csv"),
        ("product_key,sku\nชื่อ,A\n".encode("cp874"), "thai.csv"),
        (b"PK\x03\x04 not really a zip", "products.xlsx"),
        (b"just some text", "products.xlsx"),
        (b"", "empty.csv"),
        (b"product_key,sku\n", "header-only.csv"),
    ],
)
def test_garbage_files_give_a_report_and_import_nothing(shop, content, name):
    report = products_import(file=io.BytesIO(content), name=name)
    assert not report.ok
    assert report.errors[0].message
    assert not Product.objects.exists()


def test_too_large_file_is_refused(shop, monkeypatch):
    monkeypatch.setattr(importexport, "MAX_FILE_BYTES", 100)
    report = products_import(file=_csv(GOOD_ROWS), name="big.csv")
    assert "larger than" in report.errors[0].message


def test_stock_below_reserved_is_a_row_error(shop):
    products_import(file=_csv(GOOD_ROWS), name="p.csv")
    Stock.objects.filter(variant__sku="STR-GREY").update(reserved=5)
    report = products_import(file=_csv([_row(**{"stock:bkk": "2"})]), name="p.csv")
    assert [(e.row, e.field) for e in report.errors] == [(2, "stock:bkk")]
    assert Stock.objects.get(variant__sku="STR-GREY").quantity == 7


# --- the admin pages -------------------------------------------------------------------------


def test_admin_import_page_imports_and_reports(admin_client, shop):
    url = reverse("admin:catalog_product_import")
    assert admin_client.get(url).status_code == 200
    upload = SimpleUploadedFile("p.csv", _csv(GOOD_ROWS).getvalue(), content_type="text/csv")
    response = admin_client.post(url, {"file": upload})
    assert response.status_code == 200
    assert Variant.objects.count() == 2
    bad = SimpleUploadedFile("p.csv", _csv([_row(sku="X-1", category="nope")]).getvalue())
    response = admin_client.post(url, {"file": bad})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was imported" in html and "category" in html and "nope" in html
    assert not Variant.objects.filter(sku="X-1").exists()


def test_admin_changelist_links_to_import_and_export(admin_client, shop):
    html = admin_client.get(reverse("admin:catalog_product_changelist")).content.decode()
    assert reverse("admin:catalog_product_import") in html
    assert reverse("admin:catalog_product_export", args=["xlsx"]) in html


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_admin_export_downloads(admin_client, make_product, fmt):
    make_product()
    response = admin_client.get(reverse("admin:catalog_product_export", args=[fmt]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    if fmt == "csv":
        assert body.decode("utf-8-sig").splitlines()[1].startswith("stretch-sofa-cover-1,")
    else:
        sheet = load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
        assert next(sheet.iter_rows(values_only=True))[0] == "product_key"


def test_unknown_export_format_is_404(admin_client, shop):
    assert (
        admin_client.get(reverse("admin:catalog_product_export", args=["pdf"])).status_code == 404
    )


def test_non_staff_is_sent_to_login(client, django_user_model, shop):
    user = django_user_model.objects.create_user(email="c@example.com", password="pw-123456789")
    client.force_login(user)
    for url in (
        reverse("admin:catalog_product_import"),
        reverse("admin:catalog_product_export", args=["csv"]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_staff_without_permissions_is_refused(client, make_staff, shop):
    client.force_login(make_staff("view_product"))
    assert client.get(reverse("admin:catalog_product_import")).status_code == 403
    upload = SimpleUploadedFile("p.csv", _csv(GOOD_ROWS).getvalue())
    assert client.post(reverse("admin:catalog_product_import"), {"file": upload}).status_code == 403
    assert not Variant.objects.exists()
    assert client.get(reverse("admin:catalog_product_export", args=["csv"])).status_code == 200


def test_staff_with_add_and_change_can_import(client, make_staff, shop):
    client.force_login(make_staff("add_product", "change_product", email="ed@example.com"))
    upload = SimpleUploadedFile("p.csv", _csv(GOOD_ROWS).getvalue())
    assert client.post(reverse("admin:catalog_product_import"), {"file": upload}).status_code == 200
    assert Variant.objects.count() == 2


def test_staff_without_view_cannot_export(client, make_staff, shop):
    client.force_login(make_staff(email="no@example.com"))
    assert client.get(reverse("admin:catalog_product_export", args=["csv"])).status_code == 403


def test_import_command_fails_loudly_on_a_bad_file(shop, tmp_path):
    from django.core.management.base import CommandError

    path = tmp_path / "bad.csv"
    path.write_bytes(_csv([_row(category="nope")]).getvalue())
    with pytest.raises(CommandError):
        call_command("import_products", str(path), stderr=io.StringIO())
    assert not Product.objects.exists()


def test_products_export_writes_csv_text(make_product):
    make_product()
    stream = io.StringIO()
    products_export(stream=stream, fmt="csv")
    assert stream.getvalue().startswith("product_key,category,product_type,")
