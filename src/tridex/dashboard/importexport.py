"""Product spreadsheets: the column layout, reading CSV/XLSX as a stream of rows, checking every
row, and writing the same layout back out.

One row per variant. ``product_key`` groups the variants of one product (export writes the
English slug). Columns (``<lang>`` is every language of ``settings.LANGUAGES``)::

    product_key, category, product_type, name_<lang>, description_<lang>, slug_<lang>,
    seo_title_<lang>, seo_description_<lang>, is_published, sku, barcode,
    option:<option code>..., weight_grams, length_mm, width_mm, height_mm,
    price:<market>, compare_at:<market>, cost:<market>..., stock:<warehouse>...

Only ``product_key`` and ``sku`` are required; a column left out of the file leaves that value
untouched on existing products. ``services.products_import`` checks *every* row with
``plan_import`` before it writes anything, so a file with one bad row imports nothing.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.conf import settings
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from tridex.catalog.models import Category, Option, OptionValue, Product, ProductType, Variant
from tridex.catalog.services import SKU_RE, gtin_check_digit, slugify_text
from tridex.core.money import quantize
from tridex.inventory.models import Stock, Warehouse
from tridex.inventory.services import MAX_QUANTITY
from tridex.markets.models import Market
from tridex.pricing.models import Price

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
MAX_ERRORS = 1000
MAX_INT = 2_147_483_647
MAX_PRICE = Decimal(10) ** 10
XLSX_MAGIC = b"PK\x03\x04"
CHUNK = 500

TEXT_BASES = ("name", "description", "slug", "seo_title", "seo_description")
NUMBER_FIELDS = ("weight_grams", "length_mm", "width_mm", "height_mm")
PRICE_KINDS = ("price", "compare_at", "cost")
REQUIRED_COLUMNS = ("product_key", "sku")
TRUE = {"1", "true", "yes", "y", "t", "on"}
FALSE = {"0", "false", "no", "n", "f", "off"}
THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")


def languages() -> list[str]:
    return [code.split("-")[0] for code, _name in settings.LANGUAGES]


def text_columns() -> list[str]:
    """Translated product columns in the documented order (name_th, name_en, description_th…)."""
    return [f"{base}_{lang}" for base in TEXT_BASES for lang in languages()]


def product_columns() -> list[str]:
    return ["category", "product_type", *text_columns(), "is_published"]


class ImportFileError(Exception):
    """The file as a whole cannot be read (size, format, encoding, header)."""

    def __init__(self, message: str, *, field: str = "file") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    message: str


@dataclass
class ImportReport:
    """What an import did, or why it did nothing: every bad row with its field and reason."""

    errors: list[RowError] = field(default_factory=list)
    more_errors: int = 0
    rows: int = 0
    products_created: int = 0
    products_updated: int = 0
    variants_created: int = 0
    variants_updated: int = 0
    prices_set: int = 0
    stock_set: int = 0
    product_ids: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, row: int, column: str, message: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(row, column, message))
        else:
            self.more_errors += 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "rows": self.rows,
            "errors": [e.__dict__ for e in self.errors],
            "more_errors": self.more_errors,
            "products_created": self.products_created,
            "products_updated": self.products_updated,
            "variants_created": self.variants_created,
            "variants_updated": self.variants_updated,
            "prices_set": self.prices_set,
            "stock_set": self.stock_set,
        }


# --- reading ---------------------------------------------------------------------------------


def _size(file: IO[bytes]) -> int:
    size = getattr(file, "size", None)
    if isinstance(size, int):
        return size
    position = file.tell()
    file.seek(0, io.SEEK_END)
    end = file.tell()
    file.seek(position)
    return end


def read_rows(file: IO[bytes], *, name: str = "") -> Iterator[tuple[int, list[str]]]:
    """Yield ``(row number, cells)`` from a CSV or XLSX file, the header as row 1.

    Rows are streamed (openpyxl's read-only mode, incremental UTF-8 decoding), never loaded
    whole. Anything unreadable raises ``ImportFileError`` with a message for the user.
    """
    if _size(file) > MAX_FILE_BYTES:
        raise ImportFileError(
            _("The file is larger than %(mb)d MB. Split it into smaller files.")
            % {"mb": MAX_FILE_BYTES // (1024 * 1024)}
        )
    file.seek(0)
    head = file.read(4)
    file.seek(0)
    if not head:
        raise ImportFileError(_("The file is empty."))
    lowered = name.lower()
    if head == XLSX_MAGIC:
        rows = _xlsx_rows(file)
    elif lowered.endswith((".xlsx", ".xlsm")):
        raise ImportFileError(_("The file is not a valid XLSX workbook."))
    elif lowered.endswith(".xls"):
        raise ImportFileError(_("Old .xls workbooks are not supported: save it as .xlsx or CSV."))
    else:
        rows = _csv_rows(file)
    for number, cells in enumerate(rows, start=1):
        if number > MAX_ROWS + 1:
            raise ImportFileError(
                _("The file has more than %(n)d rows. Split it into smaller files.")
                % {"n": MAX_ROWS}
            )
        yield number, cells


def _chunks(file: IO[bytes]) -> Iterator[bytes]:
    if hasattr(file, "chunks"):
        yield from file.chunks()
        return
    while chunk := file.read(64 * 1024):
        yield chunk


def _text_lines(file: IO[bytes]) -> Iterator[str]:
    pending = ""
    for text in codecs.iterdecode(_chunks(file), "utf-8-sig"):
        pending += text
        *lines, pending = pending.split("\n")
        for line in lines:
            yield line + "\n"
    if pending:
        yield pending


def _csv_rows(file: IO[bytes]) -> Iterator[list[str]]:
    lines = _text_lines(file)
    try:
        first = next(lines, "")
        delimiter = ","
        if first.count(";") > first.count(",") and first.count(";") > first.count("\t"):
            delimiter = ";"
        elif first.count("\t") > first.count(","):
            delimiter = "\t"
        reader = csv.reader(_prepend(first, lines), delimiter=delimiter, strict=False)
        for cells in reader:
            yield [cell.strip() for cell in cells]
    except UnicodeDecodeError:
        raise ImportFileError(
            _("The file is not UTF-8 text. Save it as “CSV UTF-8” or as an XLSX workbook.")
        ) from None
    except csv.Error as exc:
        raise ImportFileError(
            _("The file is not a readable CSV file (%(e)s).") % {"e": exc}
        ) from None


def _prepend(first: str, rest: Iterator[str]) -> Iterator[str]:
    if first:
        yield first
    yield from rest


def _xlsx_rows(file: IO[bytes]) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors on a damaged file; all mean the same
        raise ImportFileError(_("The file is not a valid XLSX workbook.")) from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise ImportFileError(_("The workbook has no sheet."))
        try:
            for values in sheet.iter_rows(values_only=True):
                yield [_cell_text(value) for value in values]
        except ImportFileError:
            raise
        except Exception:
            raise ImportFileError(_("The XLSX workbook is damaged and cannot be read.")) from None
    finally:
        workbook.close()


def _cell_text(value: Any) -> str:
    """Spreadsheet cells arrive typed; the checks below read text, as from a CSV."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


# --- the header ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    kind: str  # "field", "option", "price", "compare_at", "cost", "stock"
    key: str  # field name, option code, market code or warehouse code
    name: str  # as written in the header


@dataclass
class Catalog:
    """Everything rows refer to by code, loaded once before the rows are read."""

    categories: dict[str, Category]
    product_types: dict[str, ProductType]
    type_options: dict[int, set[int]]
    options: dict[str, Option]
    option_values: dict[tuple[int, str], OptionValue]
    markets: dict[str, Market]
    warehouses: dict[str, Warehouse]

    @classmethod
    def load(cls) -> Catalog:
        categories: dict[str, Category] = {}
        for category in Category.objects.all():
            for lang in reversed(languages()):
                slug = getattr(category, f"slug_{lang}", "") or ""
                if slug:
                    categories[slug.lower()] = category
        product_types: dict[str, ProductType] = {}
        for product_type in ProductType.objects.all():
            for lang in reversed(languages()):
                name = getattr(product_type, f"name_{lang}", "") or ""
                if name:
                    product_types[name.strip().lower()] = product_type
        type_options: dict[int, set[int]] = defaultdict(set)
        for type_id, option_id in ProductType.options.through.objects.values_list(
            "producttype_id", "option_id"
        ):
            type_options[type_id].add(option_id)
        options = {option.code.lower(): option for option in Option.objects.all()}
        values = {
            (value.option_id, value.code.lower()): value for value in OptionValue.objects.all()
        }
        return cls(
            categories=categories,
            product_types=product_types,
            type_options=type_options,
            options=options,
            option_values=values,
            markets={market.code.lower(): market for market in Market.objects.all()},
            warehouses={wh.code.lower(): wh for wh in Warehouse.objects.all()},
        )


def parse_header(cells: list[str], catalog: Catalog, report: ImportReport) -> dict[int, Column]:
    fixed = {"product_key", "sku", "barcode", *product_columns(), *NUMBER_FIELDS}
    columns: dict[int, Column] = {}
    seen: set[str] = set()
    for index, raw in enumerate(cells):
        name = raw.strip().lower()
        if not name:
            continue
        if name in seen:
            report.add(1, raw, _("This column appears twice."))
            continue
        seen.add(name)
        column = _column(name, raw, fixed, catalog, report)
        if column is not None:
            columns[index] = column
    present = {c.key for c in columns.values() if c.kind == "field"}
    for required in REQUIRED_COLUMNS:
        if required not in present:
            report.add(1, required, _("The required column %(c)s is missing.") % {"c": required})
    return columns


def _column(
    name: str, raw: str, fixed: set[str], catalog: Catalog, report: ImportReport
) -> Column | None:
    if name in fixed:
        return Column("field", name, name)
    kind, sep, code = name.partition(":")
    code = code.strip()
    if not sep or not code:
        report.add(1, raw, _("Unknown column."))
        return None
    if kind == "option":
        if code not in catalog.options:
            report.add(1, raw, _("Unknown option %(code)s.") % {"code": code})
            return None
    elif kind in PRICE_KINDS:
        if code not in catalog.markets:
            report.add(1, raw, _("Unknown market %(code)s.") % {"code": code})
            return None
    elif kind == "stock":
        if code not in catalog.warehouses:
            report.add(1, raw, _("Unknown warehouse %(code)s.") % {"code": code})
            return None
    else:
        report.add(1, raw, _("Unknown column."))
        return None
    return Column(kind, code, f"{kind}:{code}")


# --- one row ---------------------------------------------------------------------------------


@dataclass
class Row:
    """A checked row, with values already converted (objects, ints, Decimals)."""

    number: int
    key: str
    sku: str
    product: dict[str, Any] = field(default_factory=dict)  # non-empty product cells
    variant: dict[str, Any] = field(default_factory=dict)  # present variant cells
    options: dict[int, OptionValue | None] = field(default_factory=dict)  # option id -> value
    prices: dict[str, dict[str, Decimal | None]] = field(default_factory=dict)
    stock: dict[str, int] = field(default_factory=dict)


class _RowChecker:
    def __init__(self, number: int, catalog: Catalog, report: ImportReport) -> None:
        self.number, self.catalog, self.report = number, catalog, report
        self.bad = False

    def error(self, column: str, message: str) -> None:
        self.bad = True
        self.report.add(self.number, column, message)

    def integer(self, column: str, text: str, *, maximum: int, negative: str) -> int | None:
        cleaned = text.replace(" ", "")
        if cleaned.endswith(".0"):
            cleaned = cleaned[:-2]
        try:
            value = int(cleaned)
        except ValueError:
            self.error(column, _("“%(v)s” is not a whole number.") % {"v": text})
            return None
        if value < 0:
            self.error(column, negative)
            return None
        if value > maximum:
            self.error(column, _("%(v)s is too large (at most %(m)d).") % {"v": text, "m": maximum})
            return None
        return value

    def amount(self, column: str, text: str, currency: str) -> Decimal | None:
        cleaned = text.replace(" ", "")
        if THOUSANDS.match(cleaned):
            cleaned = cleaned.replace(",", "")
        try:
            value = Decimal(cleaned)
        except (InvalidOperation, ValueError):
            self.error(column, _("“%(v)s” is not a number.") % {"v": text})
            return None
        if not value.is_finite():
            self.error(column, _("“%(v)s” is not a number.") % {"v": text})
            return None
        if value < 0:
            self.error(column, _("A price cannot be negative."))
            return None
        if value >= MAX_PRICE:
            self.error(column, _("This price is too large."))
            return None
        return quantize(value, currency)

    def boolean(self, column: str, text: str) -> bool | None:
        value = text.strip().lower()
        if value in TRUE:
            return True
        if value in FALSE:
            return False
        self.error(column, _("Write true or false, not “%(v)s”.") % {"v": text})
        return None


def parse_row(
    number: int,
    cells: list[str],
    columns: dict[int, Column],
    catalog: Catalog,
    report: ImportReport,
) -> Row | None:
    """Check one row on its own; return it converted, or None after reporting its errors."""
    check = _RowChecker(number, catalog, report)
    values: dict[Column, str] = {
        column: (cells[index] if index < len(cells) else "").strip()
        for index, column in columns.items()
    }
    by_field = {c.key: v for c, v in values.items() if c.kind == "field"}
    row = Row(number=number, key=by_field.get("product_key", ""), sku=by_field.get("sku", ""))
    if not row.key:
        check.error("product_key", _("The product key is missing."))
    _check_sku(row.sku, check)
    _check_product_cells(row, by_field, check)
    _check_variant_cells(row, by_field, check)
    prices: dict[str, dict[str, str]] = defaultdict(dict)
    for column, text in values.items():
        if column.kind == "option":
            _check_option(row, column, text, check)
        elif column.kind in PRICE_KINDS:
            prices[column.key][column.kind] = text
        elif column.kind == "stock" and text:
            quantity = check.integer(
                column.name, text, maximum=MAX_QUANTITY, negative=_("Stock cannot be negative.")
            )
            if quantity is not None:
                row.stock[column.key] = quantity
    for market_code, cells_by_kind in prices.items():
        _check_prices(row, market_code, cells_by_kind, check)
    return None if check.bad else row


def _check_sku(sku: str, check: _RowChecker) -> None:
    if not sku:
        check.error("sku", _("The SKU is missing."))
    elif len(sku) > 64 or not SKU_RE.match(sku):
        check.error("sku", _("“%(v)s” is not a valid SKU (letters, digits, . _ / -).") % {"v": sku})


def _check_product_cells(row: Row, cells: dict[str, str], check: _RowChecker) -> None:
    lengths = {
        base: getattr(Product._meta.get_field(base), "max_length", None) for base in TEXT_BASES
    }  # max_length is None for descriptions
    for name in text_columns():
        text = cells.get(name, "")
        if not text:
            continue
        base = name.rsplit("_", 1)[0]
        limit = lengths[base]
        if limit is not None and len(text) > limit:
            check.error(name, _("Use at most %(n)d characters.") % {"n": limit})
            continue
        if base == "slug":
            slug = slugify_text(text)
            if not slug:
                check.error(name, _("Use letters, digits or hyphens in the slug."))
                continue
            text = slug
        row.product[name] = text
    category = cells.get("category", "")
    if category:
        found = check.catalog.categories.get(category.lower())
        if found is None:
            check.error("category", _("Unknown category “%(v)s”.") % {"v": category})
        else:
            row.product["category"] = found
    product_type = cells.get("product_type", "")
    if product_type:
        found_type = check.catalog.product_types.get(product_type.strip().lower())
        if found_type is None:
            check.error("product_type", _("Unknown product type “%(v)s”.") % {"v": product_type})
        else:
            row.product["product_type"] = found_type
    published = cells.get("is_published", "")
    if published:
        flag = check.boolean("is_published", published)
        if flag is not None:
            row.product["is_published"] = flag


def _check_variant_cells(row: Row, cells: dict[str, str], check: _RowChecker) -> None:
    if "barcode" in cells:
        barcode = cells["barcode"].replace(" ", "")
        if barcode and (
            not barcode.isdigit()
            or len(barcode) not in (8, 12, 13, 14)
            or gtin_check_digit(barcode[:-1]) != int(barcode[-1])
        ):
            check.error(
                "barcode",
                _("“%(v)s” is not a valid EAN/UPC barcode (8, 12, 13 or 14 digits).")
                % {"v": barcode},
            )
        else:
            row.variant["barcode"] = barcode
    for name in NUMBER_FIELDS:
        if name not in cells:
            continue
        if not cells[name]:
            row.variant[name] = 0
            continue
        value = check.integer(
            name, cells[name], maximum=MAX_INT, negative=_("This cannot be negative.")
        )
        if value is not None:
            row.variant[name] = value


def _check_option(row: Row, column: Column, text: str, check: _RowChecker) -> None:
    option = check.catalog.options[column.key]
    if not text:
        row.options[option.pk] = None
        return
    value = check.catalog.option_values.get((option.pk, text.lower()))
    if value is None:
        known = sorted(code for (oid, code) in check.catalog.option_values if oid == option.pk)
        check.error(
            column.name,
            _("Unknown value “%(v)s” for option %(o)s (known: %(known)s).")
            % {"v": text, "o": option.code, "known": ", ".join(known[:12]) or "—"},
        )
        return
    row.options[option.pk] = value


def _check_prices(row: Row, market_code: str, cells: dict[str, str], check: _RowChecker) -> None:
    market = check.catalog.markets[market_code]
    parsed: dict[str, Decimal | None] = {}
    for kind in PRICE_KINDS:
        if kind not in cells:
            continue
        text = cells[kind]
        column = f"{kind}:{market_code}"
        if not text:
            parsed[kind] = None
            continue
        value = check.amount(column, text, market.currency)
        if value is None:
            return
        parsed[kind] = value
    price, compare_at = parsed.get("price"), parsed.get("compare_at")
    if price is not None and compare_at is not None and compare_at <= price:
        check.error(
            f"compare_at:{market_code}",
            _("The compare-at price (%(c)s) must be higher than the price (%(p)s).")
            % {"c": compare_at, "p": price},
        )
        return
    if any(value is not None for value in parsed.values()):
        row.prices[market_code] = parsed


# --- the whole file --------------------------------------------------------------------------


@dataclass
class Group:
    """The rows of one product_key, and the product they create or update."""

    key: str
    rows: list[Row]
    product: Product | None = None
    values: dict[str, Any] = field(default_factory=dict)  # merged product cells


@dataclass
class Plan:
    """A fully checked file: what to write, resolved against the database."""

    columns: dict[int, Column]
    groups: list[Group]
    variants: dict[str, Variant]  # lowercase SKU -> existing variant
    prices: dict[tuple[int, int], Price]  # (variant id, market id) -> existing price
    stocks: dict[tuple[int, int], Stock]  # (variant id, warehouse id) -> existing stock
    catalog: Catalog

    def has_column(self, name: str) -> bool:
        return any(c.kind == "field" and c.key == name for c in self.columns.values())


def plan_import(file: IO[bytes], *, name: str, report: ImportReport) -> Plan | None:
    """Read and check every row; return a plan only when the whole file is good."""
    catalog = Catalog.load()
    rows: list[Row] = []
    columns: dict[int, Column] = {}
    for number, cells in read_rows(file, name=name):
        if number == 1:
            columns = parse_header(cells, catalog, report)
            if not report.ok:
                return None
            continue
        if not any(cells):
            continue
        report.rows += 1
        row = parse_row(number, cells, columns, catalog, report)
        if row is not None:
            rows.append(row)
    if not columns:
        raise ImportFileError(_("The file has no header row."))
    if report.rows == 0 and report.ok:
        raise ImportFileError(_("The file has a header but no rows."))
    plan = _resolve(rows, columns, catalog, report)
    return plan if report.ok else None


def _resolve(
    rows: list[Row], columns: dict[int, Column], catalog: Catalog, report: ImportReport
) -> Plan:
    """The checks that need more than one row, or the database, batched per 500 SKUs."""
    first_sku: dict[str, int] = {}
    unique: list[Row] = []
    for row in rows:
        lowered = row.sku.lower()
        if lowered in first_sku:
            report.add(
                row.number,
                "sku",
                _("SKU %(sku)s appears again (first on row %(row)d).")
                % {"sku": row.sku, "row": first_sku[lowered]},
            )
            continue
        first_sku[lowered] = row.number
        unique.append(row)
    variants = _existing_variants(list(first_sku))
    groups: dict[str, Group] = {}
    for row in unique:
        groups.setdefault(row.key, Group(key=row.key, rows=[])).rows.append(row)
    plan = Plan(columns, list(groups.values()), variants, {}, {}, catalog)
    _resolve_products(plan, report)
    for group in plan.groups:
        _merge_product_cells(group, report)
    _check_products(plan, report)
    _check_slugs(plan, report)
    _check_options(plan, report)
    ids = [v.pk for v in variants.values()]
    plan.prices = _existing_prices(ids)
    plan.stocks = _existing_stocks(ids)
    _check_prices_and_stock(plan, report)
    return plan


def _chunked[T](items: list[T]) -> Iterator[list[T]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _existing_variants(skus: list[str]) -> dict[str, Variant]:
    found: dict[str, Variant] = {}
    for part in _chunked(skus):
        query = (
            Variant.objects.annotate(sku_lower=Lower("sku"))
            .filter(sku_lower__in=part)
            .select_related("product")
            .prefetch_related("option_values")
        )
        for variant in query:
            found[variant.sku.lower()] = variant
    return found


def _existing_prices(variant_ids: list[int]) -> dict[tuple[int, int], Price]:
    prices: dict[tuple[int, int], Price] = {}
    for part in _chunked(variant_ids):
        for price in Price.objects.filter(variant_id__in=part):
            prices[(price.variant_id, price.market_id)] = price
    return prices


def _existing_stocks(variant_ids: list[int]) -> dict[tuple[int, int], Stock]:
    stocks: dict[tuple[int, int], Stock] = {}
    for part in _chunked(variant_ids):
        for stock in Stock.objects.filter(variant_id__in=part):
            stocks[(stock.variant_id, stock.warehouse_id)] = stock
    return stocks


def _resolve_products(plan: Plan, report: ImportReport) -> None:
    """Find the product of each group: by its existing SKUs first, then by the English slug."""
    unresolved = []
    owner: dict[int, str] = {}
    for group in plan.groups:
        existing = [
            (row, plan.variants[row.sku.lower()])
            for row in group.rows
            if row.sku.lower() in plan.variants
        ]
        if existing:
            product = existing[0][1].product
            for row, variant in existing[1:]:
                if variant.product_id != product.pk:
                    report.add(
                        row.number,
                        "product_key",
                        _(
                            "SKU %(sku)s belongs to another product (%(other)s) than the other "
                            "rows of %(key)s."
                        )
                        % {"sku": row.sku, "other": variant.product, "key": group.key},
                    )
            group.product = product
        else:
            unresolved.append(group)
    by_slug: dict[str, Product] = {}
    keys = [slugify_text(g.key) for g in unresolved]
    for part in _chunked([k for k in keys if k]):
        for product in Product.objects.filter(slug_en__in=part):
            by_slug[getattr(product, "slug_en", "") or ""] = product
    for group in unresolved:
        group.product = by_slug.get(slugify_text(group.key))
    for group in plan.groups:
        if group.product is None:
            continue
        if group.product.pk in owner and owner[group.product.pk] != group.key:
            report.add(
                group.rows[0].number,
                "product_key",
                _("Product keys %(a)s and %(b)s both point at the same product.")
                % {"a": owner[group.product.pk], "b": group.key},
            )
        owner[group.product.pk] = group.key


def _merge_product_cells(group: Group, report: ImportReport) -> None:
    """Product cells may be repeated on every row or given once; given twice they must agree."""
    first_row: dict[str, int] = {}
    for row in group.rows:
        for name, value in row.product.items():
            if name not in group.values:
                group.values[name] = value
                first_row[name] = row.number
            elif group.values[name] != value:
                report.add(
                    row.number,
                    name,
                    _("This differs from row %(row)d of the same product_key %(key)s.")
                    % {"row": first_row[name], "key": group.key},
                )


def _check_products(plan: Plan, report: ImportReport) -> None:
    has = plan.has_column
    for group in plan.groups:
        first = group.rows[0].number
        product = group.product
        for name in ("category", "product_type"):
            if name in group.values or (product is not None and not has(name)):
                continue
            if product is None:
                message = _("A new product needs a %(c)s.") % {"c": name}
            else:
                message = _("The %(c)s cannot be empty.") % {"c": name}
            report.add(first, name, message)
        names = [f"name_{lang}" for lang in languages()]
        has_name = any(group.values.get(n) for n in names)
        if product is not None:
            has_name = has_name or any(getattr(product, n, "") for n in names if not has(n))
        if not has_name:
            report.add(first, names[0], _("The product needs a name in at least one language."))


def _check_slugs(plan: Plan, report: ImportReport) -> None:
    for lang in languages():
        column = f"slug_{lang}"
        wanted: dict[str, Group] = {}
        for group in plan.groups:
            slug = group.values.get(column)
            if not slug and lang == "en" and group.product is None:
                slug = slugify_text(group.key)
                if slug:
                    group.values.setdefault("_default_slug_en", slug)
            if not slug:
                continue
            if slug in wanted and wanted[slug] is not group:
                report.add(
                    group.rows[0].number,
                    column,
                    _("The address %(slug)s is also used by product_key %(key)s.")
                    % {"slug": slug, "key": wanted[slug].key},
                )
            wanted[slug] = group
        for part in _chunked(list(wanted)):
            for pk, slug in Product.objects.filter(**{f"{column}__in": part}).values_list(
                "pk", column
            ):
                group = wanted[slug]
                if group.product is not None and group.product.pk == pk:
                    continue
                if column in group.values:
                    report.add(
                        group.rows[0].number,
                        column,
                        _("The address %(slug)s is already used by another product.")
                        % {"slug": slug},
                    )
                else:  # the default from product_key is taken: let the service make one
                    group.values.pop("_default_slug_en", None)


def _check_options(plan: Plan, report: ImportReport) -> None:
    """Options must belong to the product type; two variants of a product differ in options."""
    existing_products = [g.product.pk for g in plan.groups if g.product is not None]
    combos: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    through = Variant.option_values.through.objects
    for part in _chunked(existing_products):
        for product_id, variant_id, value_id in through.filter(
            variant__product_id__in=part
        ).values_list("variant__product_id", "variant_id", "optionvalue_id"):
            combos[product_id][variant_id].add(value_id)
    values_by_id = {v.pk: v for v in plan.catalog.option_values.values()}
    option_codes = {option.pk: option.code for option in plan.catalog.options.values()}
    for group in plan.groups:
        product_type = group.values.get("product_type") or (
            group.product.product_type if group.product else None
        )
        allowed = plan.catalog.type_options.get(product_type.pk, set()) if product_type else set()
        current = combos.get(group.product.pk, {}) if group.product else {}
        in_file: set[int] = set()
        seen: dict[frozenset[int], int] = {}
        for row in group.rows:
            variant = plan.variants.get(row.sku.lower())
            chosen = {
                values_by_id[v].option_id: v
                for v in (current.get(variant.pk, set()) if variant else set())
                if v in values_by_id
            }
            for option_id, value in row.options.items():
                if value is None:
                    chosen.pop(option_id, None)
                    continue
                chosen[option_id] = value.pk
                if product_type is not None and option_id not in allowed:
                    report.add(
                        row.number,
                        f"option:{option_codes[option_id]}",
                        _("Product type %(t)s has no option %(o)s.")
                        % {"t": product_type.name, "o": option_codes[option_id]},
                    )
            if variant is not None:
                in_file.add(variant.pk)
            combination = frozenset(chosen.values())
            if combination and combination in seen:
                report.add(
                    row.number,
                    "sku",
                    _("This variant has the same options as row %(row)d.")
                    % {"row": seen[combination]},
                )
            seen.setdefault(combination, row.number)
        others = {frozenset(v) for vid, v in current.items() if vid not in in_file and v}
        for combination, number in seen.items():
            if combination and combination in others:
                report.add(
                    number, "sku", _("Another variant of this product already has these options.")
                )


def _check_prices_and_stock(plan: Plan, report: ImportReport) -> None:
    markets, warehouses = plan.catalog.markets, plan.catalog.warehouses
    for group in plan.groups:
        for row in group.rows:
            variant = plan.variants.get(row.sku.lower())
            for code, parsed in row.prices.items():
                market = markets[code]
                existing = plan.prices.get((variant.pk, market.pk)) if variant else None
                final = final_price(parsed, existing)
                if final is None:
                    report.add(
                        row.number,
                        f"price:{code}",
                        _("Give a price for market %(m)s as well.") % {"m": code},
                    )
                elif final[1] is not None and final[1] <= final[0]:
                    report.add(
                        row.number,
                        f"compare_at:{code}",
                        _("The compare-at price (%(c)s) must be higher than the price (%(p)s).")
                        % {"c": final[1], "p": final[0]},
                    )
            for code, quantity in row.stock.items():
                stock = plan.stocks.get((variant.pk, warehouses[code].pk)) if variant else None
                if stock is not None and quantity < stock.reserved:
                    report.add(
                        row.number,
                        f"stock:{code}",
                        _("%(n)d units are reserved for checkouts; the stock cannot be lower.")
                        % {"n": stock.reserved},
                    )


def final_price(
    parsed: dict[str, Decimal | None], existing: Price | None
) -> tuple[Decimal, Decimal | None, Decimal | None] | None:
    """(price, compare-at, cost) after the row: a column left out keeps the current value."""

    def pick(kind: str, current: Decimal | None) -> Decimal | None:
        return parsed.get(kind, current)

    # An empty price cell keeps the current price; empty compare-at and cost cells clear them.
    amount = parsed.get("price")
    if amount is None:
        amount = existing.amount if existing else None
    if amount is None:
        return None
    return (
        amount,
        pick("compare_at", existing.compare_at_amount if existing else None),
        pick("cost", existing.cost_amount if existing else None),
    )


# --- export ----------------------------------------------------------------------------------


def export_header(
    options: list[Option], markets: list[Market], warehouses: list[Warehouse]
) -> list[str]:
    langs = languages()
    seo = [f"{base}_{lang}" for base in ("seo_title", "seo_description") for lang in langs]
    texts = [f"{base}_{lang}" for base in ("name", "description", "slug") for lang in langs]
    return [
        "product_key",
        "category",
        "product_type",
        *texts,
        *seo,
        "is_published",
        "sku",
        "barcode",
        *(f"option:{option.code}" for option in options),
        *NUMBER_FIELDS,
        *(f"{kind}:{market.code}" for market in markets for kind in PRICE_KINDS),
        *(f"stock:{warehouse.code}" for warehouse in warehouses),
    ]


def export_rows() -> Iterator[list[Any]]:
    """The header, then one row per variant, reading products 500 at a time."""
    options = list(Option.objects.order_by("position", "code"))
    markets = list(Market.objects.order_by("position", "code"))
    warehouses = list(Warehouse.objects.order_by("code"))
    header = export_header(options, markets, warehouses)
    yield header
    last = 0
    while True:
        products = list(
            Product.objects.filter(pk__gt=last)
            .order_by("pk")
            .select_related("category", "product_type")
            .prefetch_related("variants__option_values", "variants__prices", "variants__stocks")[
                :CHUNK
            ]
        )
        if not products:
            return
        for product in products:
            yield from _product_rows(product, header, options, markets, warehouses)
        last = products[-1].pk


def _product_rows(
    product: Product,
    header: list[str],
    options: list[Option],
    markets: list[Market],
    warehouses: list[Warehouse],
) -> Iterable[list[Any]]:
    category = product.category
    category_slug = next(
        (
            getattr(category, f"slug_{lang}")
            for lang in ("en", *languages())
            if getattr(category, f"slug_{lang}", "")
        ),
        "",
    )
    product_type = product.product_type
    type_name = next(
        (
            getattr(product_type, f"name_{lang}")
            for lang in ("en", *languages())
            if getattr(product_type, f"name_{lang}", "")
        ),
        "",
    )
    base: dict[str, Any] = {
        "product_key": getattr(product, "slug_en", "") or f"product-{product.pk}",
        "category": category_slug,
        "product_type": type_name,
        "is_published": "true" if product.is_published else "false",
    }
    for name in text_columns():
        base[name] = getattr(product, name, "") or ""
    for variant in product.variants.all():
        cells = dict(base)
        cells.update(
            sku=variant.sku,
            barcode=variant.barcode,
            **{name: getattr(variant, name) for name in NUMBER_FIELDS},
        )
        chosen = {value.option_id: value.code for value in variant.option_values.all()}
        for option in options:
            cells[f"option:{option.code}"] = chosen.get(option.pk, "")
        prices = {price.market_id: price for price in variant.prices.all()}
        for market in markets:
            price = prices.get(market.pk)
            cells[f"price:{market.code}"] = _money(price.amount if price else None, market)
            cells[f"compare_at:{market.code}"] = _money(
                price.compare_at_amount if price else None, market
            )
            cells[f"cost:{market.code}"] = _money(price.cost_amount if price else None, market)
        stocks = {stock.warehouse_id: stock.quantity for stock in variant.stocks.all()}
        for warehouse in warehouses:
            cells[f"stock:{warehouse.code}"] = stocks.get(warehouse.pk, "")
        yield [cells[name] for name in header]


def _money(amount: Decimal | None, market: Market) -> Decimal | str:
    return "" if amount is None else quantize(amount, market.currency)


def write_csv(stream: IO[str], rows: Iterable[list[Any]]) -> None:
    writer = csv.writer(stream)
    for row in rows:
        writer.writerow(row)


def csv_lines(rows: Iterable[list[Any]]) -> Iterator[str]:
    """CSV text row by row, for a streaming HTTP response. Starts with a BOM for Excel."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"
    for row in rows:
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def write_xlsx(stream: IO[bytes], rows: Iterable[list[Any]]) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="products")
    for row in rows:
        sheet.append(row)
    workbook.save(stream)
