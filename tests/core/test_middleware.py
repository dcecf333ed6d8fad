import pytest


@pytest.mark.django_db
def test_nul_in_an_api_parameter_is_a_422_naming_it(client):
    response = client.get("/api/v1/products", {"q": "sofa\x00"})
    assert response.status_code == 422
    assert response.json()["field"] == "q"


@pytest.mark.django_db
def test_nul_in_a_page_path_is_a_400(client):
    response = client.get("/en/p/sofa%00cover/")
    assert response.status_code == 400
    assert "not allowed" in response.content.decode()
