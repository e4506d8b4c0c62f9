"""SEC-4, CAT-1, CAT-3 (issue 22): the listing form uploads images (not a URL), keeps their alt texts,
reorders and removes them, and the listing's ``images`` keep their shape, [{url, alt}]."""

import io
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from catalog.models import Category, Listing, ListingImage
from merchants.models import Merchant
from tests.dashboard.test_listings import _form
from tests.dashboard.test_query_budget import BUDGET
from tests.helpers.queries import assert_max_queries

pytestmark = pytest.mark.django_db


def png(name: str = "cup.png", colour: tuple[int, int, int] = (10, 120, 200)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_sec_4_cat_1_new_listing_with_two_uploaded_images(
    owner_client: Client, shop: Merchant, category: Category
) -> None:
    data = _form(category) | {"newimg-uploads": [png("a.png"), png("b.png")], "newimg-alt": "保温杯正面"}
    response = owner_client.post("/merchant/listings/new/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    listing = Listing.objects.get(merchant=shop)
    assert listing.candidate_version is not None
    images = listing.candidate_version.images
    stored = list(ListingImage.objects.filter(shop=shop).order_by("pk"))
    assert images == [{"url": i.url, "alt": "保温杯正面"} for i in stored] and len(stored) == 2
    page = owner_client.get(f"/merchant/listings/{listing.pk}/").content.decode()
    assert page.count('data-testid="image-thumb"') == 2
    assert owner_client.get(stored[0].url).status_code == 200


def test_sec_4_a_text_file_named_png_is_refused_on_the_field_and_nothing_saved(
    owner_client: Client, shop: Merchant, category: Category
) -> None:
    fake = SimpleUploadedFile("cup.png", b"not an image at all" * 5, content_type="image/png")
    response = owner_client.post("/merchant/listings/new/", _form(category) | {"newimg-uploads": [fake]})
    assert response.status_code == 200
    assert "cup.png" in response.content.decode() and 'class="error"' in response.content.decode()
    assert not Listing.objects.filter(merchant=shop).exists()
    assert not ListingImage.objects.exists()


def _rows(images: list[dict[str, str]], **changes: str) -> dict[str, str | int]:
    data: dict[str, str | int] = {"images-TOTAL_FORMS": len(images), "images-INITIAL_FORMS": len(images)}
    for n, image in enumerate(images):
        data |= {f"images-{n}-url": image["url"], f"images-{n}-alt": image["alt"], f"images-{n}-ORDER": n + 1}
    return data | changes


def test_cat_1_reorder_and_remove_images_and_cat_3_it_goes_back_to_review(
    owner_client: Client, make_listing: Callable[..., Listing]
) -> None:
    three = [{"url": f"https://img.example.com/{n}.jpg", "alt": f"图{n}"} for n in range(3)]
    listing = make_listing(images=three)
    data = _form(listing.category) | _rows(three, **{"images-0-DELETE": "on", "images-2-ORDER": "1"})
    data["images-1-ORDER"] = "2"
    response = owner_client.post(f"/merchant/listings/{listing.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    listing.refresh_from_db()
    assert listing.candidate_version is not None and listing.live_version is not None
    assert listing.candidate_version.images == [three[2], three[1]]
    assert listing.live_version.images == three  # the approved text stays on sale meanwhile
    assert listing.status == Listing.Status.PENDING_REVIEW  # CAT-3: a changed image is reviewed again


def test_cat_1_a_form_posted_without_image_rows_keeps_the_images(
    owner_client: Client, make_listing: Callable[..., Listing]
) -> None:
    one = [{"url": "https://img.example.com/1.jpg", "alt": "图"}]
    listing = make_listing(images=one)
    response = owner_client.post(f"/merchant/listings/{listing.pk}/", _form(listing.category))
    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.status == Listing.Status.APPROVED  # nothing reviewed changed
    version = listing.candidate_version or listing.live_version
    assert version is not None and version.images == one


def test_cat_3_the_prescreen_reads_every_image_alt(owner_client: Client, category: Category) -> None:
    from catalog.models import BannedTerm

    BannedTerm.objects.update_or_create(phrase="最好", defaults={"severity": "hard", "reason": "absolute"})
    images = [{"url": "/a", "alt": "正面"}, {"url": "/b", "alt": "最好的杯子"}]
    response = owner_client.post("/merchant/listings/prescreen/", _form(category) | _rows(images))
    assert "最好" in response.content.decode()


def test_listing_form_query_budget_with_many_images(
    owner_client: Client, make_listing: Callable[..., Listing]
) -> None:
    """The listing form (edit) stays within the dashboard's budget however many images it shows."""
    few = make_listing(images=[{"url": "https://img.example.com/1.jpg", "alt": "图"}])
    many = make_listing(images=[{"url": f"https://img.example.com/{n}.jpg", "alt": "图"} for n in range(10)])
    counts = []
    for listing in (few, many, few):
        with assert_max_queries(BUDGET) as ctx:
            response = owner_client.get(f"/merchant/listings/{listing.pk}/")
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[1] == counts[2]
    assert response.content.decode().count('data-testid="image-thumb"') == 1
