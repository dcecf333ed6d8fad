"""Every storefront page in both languages, its SEO markup, and the 404/422 answers."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest
from django.template.loader import render_to_string
from django.utils import translation

pytestmark = pytest.mark.django_db

TH_CATEGORY = "/th/c/" + quote("ผ้าคลุมโซฟา") + "/"


def text(response) -> str:
    return response.content.decode()


def sofa_url(shop, lang: str) -> str:
    slug = getattr(shop["sofa"], f"slug_{lang}")
    return f"/{lang}/p/{quote(slug)}/"


@pytest.mark.parametrize("lang", ["th", "en"])
def test_every_page_answers_200_in_both_languages(client, shop, lang):
    category = TH_CATEGORY if lang == "th" else "/en/c/sofa-covers/"
    urls = [f"/{lang}/", category, sofa_url(shop, lang), f"/{lang}/search/?q=sofa"]
    urls.append(f"/{lang}/search/")
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'<html lang="{lang}">' in text(response)


def test_thai_pages_show_thai_content_and_english_pages_english(client, shop):
    th = text(client.get(sofa_url(shop, "th")))
    en = text(client.get(sofa_url(shop, "en")))
    assert "ผ้าคลุมโซฟายืดหยุ่น" in th and "กระชับพอดีโซฟา" in th
    assert "Stretch sofa cover" not in th
    assert "Stretch sofa cover" in en and "Hugs the sofa" in en
    assert "ผ้าคลุมโซฟายืดหยุ่น" not in en
    home_th = text(client.get("/th/"))
    assert "ปลอกหมอนอิงกำมะหยี่" in home_th  # new arrivals, in Thai
    assert "Velvet cushion cover" in text(client.get("/en/"))


def test_prices_are_formatted_for_the_page_language(client, shop):
    assert "฿1,290.00" in text(client.get(sofa_url(shop, "th")))
    assert "THB1,290.00" in text(client.get(sofa_url(shop, "en")))


def test_home_shows_hero_category_tiles_and_new_arrivals(client, shop):
    page = text(client.get("/en/"))
    assert 'id="hero-title"' in page
    assert 'href="/en/c/sofa-covers/"' in page
    for name in ("Stretch sofa cover", "Velvet cushion cover", "Linen sofa cover"):
        assert name in page


def test_product_page_gallery_is_responsive_sized_and_lazy_after_the_first(client, shop):
    page = text(client.get(sofa_url(shop, "en")))
    gallery = page.split('class="gallery__track"')[1].split("</ul>")[0]
    images = re.findall(r"<img [^>]+>", gallery)
    assert len(images) == 2  # the blue variant's own photo is not shown for grey
    assert 'fetchpriority="high"' in images[0] and 'loading="lazy"' not in images[0]
    assert 'loading="lazy"' in images[1] and "fetchpriority" not in images[1]
    for img in images:
        assert re.search(r'width="\d+" height="\d+"', img) and 'alt="' in img
    assert '<source type="image/webp" srcset="/media/r/sofa-front-320.webp 320w' in gallery


def test_product_page_has_json_ld_canonical_and_hreflang(client, shop):
    page = text(client.get(sofa_url(shop, "en")))
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    data = json.loads(raw)
    assert data["@type"] == "Product" and data["name"] == "Stretch sofa cover"
    offers = {offer["sku"]: offer for offer in data["offers"]}
    assert offers["SOFA-GREY-3"]["price"] == "1590.00"
    assert offers["SOFA-GREY-3"]["priceCurrency"] == "THB"
    assert offers["SOFA-BLUE-2"]["availability"] == "https://schema.org/OutOfStock"
    en_url = f"http://testserver{sofa_url(shop, 'en')}"
    th_url = f"http://testserver{sofa_url(shop, 'th')}"
    assert f'<link rel="canonical" href="{en_url}">' in page
    assert f'<link rel="alternate" hreflang="en" href="{en_url}">' in page
    assert f'<link rel="alternate" hreflang="th" href="{th_url}">' in page


def test_json_ld_cannot_be_broken_out_of(client, shop):
    sofa = shop["sofa"]
    sofa.description_en = "</script><script>alert(1)</script>"
    sofa.save()
    page = text(client.get(sofa_url(shop, "en")))
    assert "<script>alert(1)" not in page


def test_product_page_shows_tax_mode_of_the_market(client, shop):
    assert "incl. VAT 7%" in text(client.get(sofa_url(shop, "en")))
    client.cookies["tridex_market"] = "intl"
    page = text(client.get(sofa_url(shop, "en")))
    assert "excl. tax" in page and "incl. VAT" not in page


def test_product_page_shows_compare_at_breadcrumbs_and_reviews(client, shop):
    from tridex.catalog.models import Review

    Review.objects.create(
        product=shop["sofa"], author_name="Ploy", rating=4, title="Fits well", body="Snug."
    )
    page = text(client.get(sofa_url(shop, "en")))
    assert '<s class="price__was">' in page and "THB1,490.00" in page
    assert 'aria-label="Breadcrumb"' in page and 'href="/en/c/sofa-covers/"' in page
    assert "Fits well" in page and "Rated 4 out of 5" in page


def test_product_slug_of_the_other_language_redirects_permanently(client, shop):
    wrong = f"/th/p/{shop['sofa'].slug_en}/?colour=grey"
    response = client.get(wrong)
    assert response.status_code == 301
    assert response["Location"] == sofa_url(shop, "th") + "?colour=grey"


def test_category_slug_of_the_other_language_redirects_permanently(client, shop):
    response = client.get("/th/c/sofa-covers/")
    assert response.status_code == 301
    assert response["Location"] == TH_CATEGORY


@pytest.mark.parametrize(
    "url", ["/en/p/no-such-cover/", "/en/c/no-such-category/", "/th/p/ไม่มี/", "/en/nowhere/"]
)
def test_unknown_slugs_answer_the_404_page(client, shop, url):
    response = client.get(url)
    assert response.status_code == 404
    heading = "ขออภัย เราไม่พบหน้าที่คุณต้องการ" if url.startswith("/th/") else "We can’t find that page"
    assert heading in text(response)
    assert 'name="q"' in text(response)  # the 404 page offers search


def test_unpublished_product_is_404(client, shop):
    shop["linen"].is_published = False
    shop["linen"].save()
    assert client.get(f"/en/p/{shop['linen'].slug_en}/").status_code == 404


def test_500_template_renders_without_a_request():
    with translation.override("en"):
        page = render_to_string("500.html")
    assert "Something went wrong" in page and "<style" in page


def test_search_shows_results_and_an_empty_state(client, shop):
    page = text(client.get("/en/search/?q=velvet"))
    assert "Velvet cushion cover" in page and "Linen sofa cover" not in page
    empty = text(client.get("/en/search/?q=zzzzqqq"))
    assert "Nothing matches" in empty
    help_page = text(client.get("/en/search/"))
    assert "Or browse a category" in help_page and 'href="/en/c/sofa-covers/"' in help_page


def test_search_shows_the_corrected_query(client, shop):
    page = text(client.get("/en/search/?q=velvte"))
    assert "Showing results for" in page
    assert "Velvet cushion cover" in page


def test_search_in_thai(client, shop):
    page = text(client.get("/th/search/?q=" + quote("กำมะหยี่")))
    assert "ปลอกหมอนอิงกำมะหยี่" in page
